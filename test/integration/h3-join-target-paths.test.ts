import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, cli, siteOf, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// `join --db PATH` where PATH is a folder, lies under a file further up, or
// walks through a folder that does not exist (`missing/../app.db`). Before:
// a folder was "exists: … move the old database away" (there is no database);
// a file two levels up was Node's raw ENOTDIR from mkdir; and
// `missing/../app.db` downloaded the whole snapshot into the working folder,
// then failed with a raw ENOENT from link(2).
describe('join --db paths a careless operator types', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-h3-join-paths-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 40, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  const join = (db: string): Promise<unknown> => joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db });

  it('an existing folder is TARGET_INVALID naming it as a folder, and nothing is written in it', async () => {
    const folder = path.join(temp.dir, 'existing-folder');
    mkdirSync(folder);
    await expect(join(folder)).rejects.toMatchObject({ code: 'TARGET_INVALID', status: 400, message: expect.stringMatching(/existing-folder is a folder; name the new database file \(e\.g\. .*existing-folder[\\/]app\.db\)/) as unknown });
    expect(readdirSync(folder)).toEqual([]);
    const viaCli = await cli('join', '--from', peer.syncUrl, '--db', folder, '--token', TEST_TOKEN);
    expect(viaCli).toMatchObject({ code: 1, stderr: expect.stringMatching(/existing-folder is a folder; name the new database file/) });
    expect(viaCli.stderr).not.toMatch(/old database/);
  });

  it('a path under a file further up is TARGET_INVALID, before anything is made or downloaded', async () => {
    const file = path.join(temp.dir, 'notes.txt');
    writeFileSync(file, 'a file, not a folder');
    const before = readdirSync(temp.dir);
    await expect(join(path.join(file, 'sub', 'deeper', 'app.db'))).rejects.toMatchObject({ code: 'TARGET_INVALID', status: 400, message: expect.stringMatching(/notes\.txt is not a folder/) as unknown });
    expect(readdirSync(temp.dir)).toEqual(before);
  });

  it('missing/../app.db is app.db, as restore takes it: joined there, with no folder made and no temp file left', async () => {
    const base = path.join(temp.dir, 'dotdot');
    mkdirSync(base);
    const spelled = `${base}${path.sep}missing${path.sep}..${path.sep}app.db`;
    const result = (await join(spelled)) as { siteId: string };
    expect(siteOf(path.join(base, 'app.db'))).toBe(result.siteId);
    expect(existsSync(path.join(base, 'missing'))).toBe(false);
    expect(readdirSync(base).filter((name) => name.includes('sync-tmp'))).toEqual([]);
    expect(readdirSync(process.cwd()).filter((name) => name.includes('sync-tmp'))).toEqual([]);
  });
});
