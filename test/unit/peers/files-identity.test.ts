import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FILES_IDENTITY_FILE, keepFolderOfIdentity, loadFilesIdentity } from '../../../lib/peers/files-identity';
import { tempDir } from '../../helpers/temp';

/** Waits until the folder's change time is past its birth time, as it is on any folder written in after a moment. */
async function aged(folder: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    writeFileSync(path.join(folder, 'touch'), String(attempt));
    rmSync(path.join(folder, 'touch'));
    const stat = statSync(folder, { bigint: true });
    if (stat.birthtimeNs !== stat.ctimeNs) return;
  }
}

/**
 * The identity of a server without data (`stateDir/files-site.json`): the shape of a site id, made
 * once and kept; a state folder wiped, or one that is a copy (another birth time), is a new server.
 */
describe('loadFilesIdentity', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-files-identity-');
  });
  afterEach(() => temp.cleanup());

  it('is made once, in the shape of a site id, and kept across starts', () => {
    const state = path.join(temp.dir, 'state', 'nested');
    const first = loadFilesIdentity(state);
    expect(first).toEqual({ site: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown, replaced: undefined });
    expect(loadFilesIdentity(state)).toEqual({ site: first.site, replaced: undefined });
    expect(JSON.parse(readFileSync(path.join(state, FILES_IDENTITY_FILE), 'utf8'))).toMatchObject({ version: 1, site: first.site });
  });

  it('a wiped state folder, or a file that is no identity, is a new identity (no earlier one to replace)', () => {
    const state = path.join(temp.dir, 'state');
    const first = loadFilesIdentity(state).site;
    rmSync(state, { recursive: true });
    const wiped = loadFilesIdentity(state);
    expect(wiped.site).not.toBe(first);
    expect(wiped.replaced).toBeUndefined();
    for (const text of ['', '{"version":1,"site":"XYZ"}', '{"site":', 'null']) {
      writeFileSync(path.join(state, FILES_IDENTITY_FILE), text);
      const made = loadFilesIdentity(state);
      expect(made.site).toMatch(/^[0-9a-f]{32}$/);
      expect(made.site).not.toBe(wiped.site);
    }
  });

  it('a copy of the state folder (another birth time) takes a new identity; the original keeps its own', async () => {
    const state = path.join(temp.dir, 'state');
    mkdirSync(state);
    await aged(state);
    const original = loadFilesIdentity(state).site;
    expect(JSON.parse(readFileSync(path.join(state, FILES_IDENTITY_FILE), 'utf8'))).toMatchObject({ folder: expect.stringMatching(/^birth:\d+$/) as unknown });
    const copy = path.join(temp.dir, 'copy');
    cpSync(state, copy, { recursive: true });
    const copied = loadFilesIdentity(copy);
    expect(copied.site).not.toBe(original);
    expect(copied.replaced).toEqual({ previous: original, reason: expect.stringMatching(/is a copy/) as unknown });
    expect(loadFilesIdentity(copy)).toEqual({ site: copied.site, replaced: undefined });
    expect(loadFilesIdentity(state)).toEqual({ site: original, replaced: undefined });
  });

  it('keepFolderOfIdentity records the folder\'s birth time later when the start could not, so a copy made before the next start is told apart', async () => {
    const state = path.join(temp.dir, 'state');
    mkdirSync(state);
    const site = 'a'.repeat(32);
    // As kept by a start in the very moment the folder was made: no birth time known yet.
    writeFileSync(path.join(state, FILES_IDENTITY_FILE), JSON.stringify({ version: 1, site }));
    await aged(state);
    expect(keepFolderOfIdentity(state, 'b'.repeat(32))).toBe(true); // another identity in the file: nothing to do
    expect(JSON.parse(readFileSync(path.join(state, FILES_IDENTITY_FILE), 'utf8'))).toEqual({ version: 1, site });
    expect(keepFolderOfIdentity(state, site)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(state, FILES_IDENTITY_FILE), 'utf8'))).toEqual({ version: 1, site, folder: expect.stringMatching(/^birth:\d+$/) as unknown });
    const copy = path.join(temp.dir, 'copy');
    cpSync(state, copy, { recursive: true });
    expect(loadFilesIdentity(copy).replaced).toEqual({ previous: site, reason: expect.stringMatching(/is a copy/) as unknown });
  });
});
