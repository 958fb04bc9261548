import { readdirSync } from 'node:fs';
import path from 'node:path';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, cli, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// `join --db` with a file name so long that SQLite's side files beside it
// (`-journal`, `-wal`, `-shm`) or the server's `-syncmark` cannot be named
// (255 bytes is a file name's limit). Before: a 250-byte name was joined, the
// database put in place, then its pull failed with SQLITE_CANTOPEN (exit 2,
// "the server catches up at its first sync", though no server could ever open
// it: SQLite looks for its -journal at every read); a 300-byte name downloaded
// the whole snapshot, then failed with Node's raw ENAMETOOLONG from link(2).
describe('join --db with a file name too long for the files SQLite keeps beside it', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-aa2-join-long-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 20, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it.each([250, 300])('a %i-byte name is TARGET_INVALID before anything is downloaded, and nothing is left', async (bytes) => {
    const folder = path.join(temp.dir, `long-${bytes}`);
    const db = path.join(folder, 'd'.repeat(bytes - 3) + '.db');
    await expect(joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db })).rejects.toMatchObject({ code: 'TARGET_INVALID', status: 400, message: expect.stringMatching(/name is \d+ bytes long/) as unknown });
    const viaCli = await cli('join', '--from', peer.syncUrl, '--db', db, '--token', TEST_TOKEN);
    expect(viaCli).toMatchObject({ code: 1, stderr: expect.stringMatching(/name is \d+ bytes long/) });
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('long-'))).toEqual([]);
  });

  it('a 246-byte name (its -syncmark just fits) is joined, and its pull after the snapshot opens it', async () => {
    const db = path.join(temp.dir, 'e'.repeat(243) + '.db');
    await expect(joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db })).resolves.toMatchObject({ pullError: undefined });
  });
});
