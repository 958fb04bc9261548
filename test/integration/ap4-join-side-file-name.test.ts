import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { backupDatabase, restoreDatabase } from '../../lib/data/backup';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// joinFromPeer({ db: 'x.db-mj0a1b2c9d3' }), SQLite's super-journal name for x.db, wrote the joined database there
// (only -wal, -shm, -journal, -syncmark were looked for, and refused as TARGET_EXISTS, though nothing existed). Such
// a target is now TARGET_INVALID naming the rule, before the peer is asked; restoreDatabase and backupDatabase too.
describe('the library refuses a target named as a database side file', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-ap4-join-side-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 3, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });
  const RULE = "-wal, -shm, -journal, a super-journal's -mj…, or the sync server's -syncmark";

  it.each(['x.db-mj0a1b2c9d3', 'x.db-MJ0A1B2C9D3', 'x.db-wal', 'x.db-syncmark'])('joinFromPeer into %j is TARGET_INVALID, and nothing is written', async (name) => {
    const dir = path.join(temp.dir, `join-${name}`);
    await expect(joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db: path.join(dir, name) })).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      status: 400,
      message: expect.stringContaining(RULE) as unknown,
    });
    expect(readdirSync(temp.dir).filter((entry) => entry.startsWith('join-'))).toEqual([]);
  });

  it('restoreDatabase and backupDatabase to a super-journal name are TARGET_INVALID, and nothing is written', async () => {
    const dir = path.join(temp.dir, 'copies');
    mkdirSync(dir);
    const source = path.join(dir, 'source.db');
    await backupDatabase(peer.data.file, source);
    await expect(restoreDatabase(source, path.join(dir, 'r.db-mj0a1b2c9d3'))).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining(RULE) as unknown });
    await expect(backupDatabase(source, path.join(dir, 'b.db-mj0a1b2c9d3'))).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining(RULE) as unknown });
    await expect(backupDatabase(source, path.join(dir, 'b.db-wal'))).rejects.toMatchObject({ code: 'TARGET_INVALID', message: expect.stringContaining(RULE) as unknown });
    expect(readdirSync(dir)).toEqual(['source.db']);
  });
});
