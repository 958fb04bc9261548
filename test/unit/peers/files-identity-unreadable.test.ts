import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FilesIdentityKeeper } from '../../../lib/peers/client-files-identity';
import { FILES_IDENTITY_FILE } from '../../../lib/peers/files-identity';
import { captureLog, LEVEL } from '../../helpers/log';
import { tempDir } from '../../helpers/temp';

/** A sync client's file-sync identity without data, kept in `stateDir`, made with a captured log. */
function keeperIn(stateDir: string): { site: string | undefined; log: ReturnType<typeof captureLog> } {
  const log = captureLog();
  const keeper = new FilesIdentityKeeper({ data: undefined, files: {} as never, stateDir, logger: log.logger });
  return { site: keeper.site, log };
}

/**
 * A `files-site.json` that was there but held no identity (a corrupt or hand-edited file) silently became a new
 * identity: the operator was not told that the server now counts as a new one for its peers, whose next rounds with
 * it are first syncs. It is now logged, once, naming the file, the reason and what it means.
 */
describe('a files-site.json that holds no identity', () => {
  let temp: ReturnType<typeof tempDir>;
  let state: string;
  let file: string;
  beforeEach(() => {
    temp = tempDir('ess-files-identity-unreadable-');
    state = path.join(temp.dir, 'state');
    mkdirSync(state);
    file = path.join(state, FILES_IDENTITY_FILE);
  });
  afterEach(() => temp.cleanup());

  it.each<[string, (at: string) => void, RegExp]>([
    ['invalid JSON', (at) => writeFileSync(at, '{"version":1,"site":'), /it is not valid JSON/],
    ['empty', (at) => writeFileSync(at, ''), /it is empty/],
    ['a site that is not 32 lowercase hex digits', (at) => writeFileSync(at, '{"version":1,"site":"XYZ"}'), /no "site" of 32 lowercase hex digits/],
    ['JSON null', (at) => writeFileSync(at, 'null'), /no "site" of 32 lowercase hex digits/],
    ['an array', (at) => writeFileSync(at, '["0123456789abcdef0123456789abcdef"]'), /no "site" of 32 lowercase hex digits/],
    ['larger than an identity', (at) => writeFileSync(at, ' '.repeat(5000)), /larger than 4096 bytes/],
    ['a symbolic link', (at) => symlinkSync('/dev/null', at), /not a regular file/],
  ])('%s: a warning names the file and says a new identity was taken, and what that means', (_case, spoil, reason) => {
    spoil(file);
    const { site, log } = keeperIn(state);
    expect(site).toMatch(/^[0-9a-f]{32}$/);
    const lines = log.events('identity.unreadable');
    expect(lines).toEqual([expect.objectContaining({ level: LEVEL.warn, file, current: site, reason: expect.stringMatching(reason) as unknown })]);
    expect(lines[0]?.msg).toContain(`${file} holds no identity of this server's file sync (`);
    expect(lines[0]?.msg).toContain(`took the new identity ${site ?? ''} by itself`);
    expect(lines[0]?.msg).toMatch(/one full file comparison \(a first sync: nothing deleted/);
    // The new identity is kept: the next start reads it, and says nothing.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ site });
    const again = keeperIn(state);
    expect(again.site).toBe(site);
    expect(again.log.lines()).toEqual([]);
  });

  it('no file yet (a first start): a new identity, no warning', () => {
    const { site, log } = keeperIn(state);
    expect(site).toMatch(/^[0-9a-f]{32}$/);
    expect(log.lines()).toEqual([]);
  });
});
