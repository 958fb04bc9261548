import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, restoreDatabase } from '../../lib/data/backup';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * `restore --db events/x.db-wal/app.db` and `join --db events/store.db-journal/app.db` made the missing folder
 * `x.db-wal` (`store.db-journal`) for the new database: 84ff943 looked at the file's own name only. A folder
 * under a side file's name keeps SQLite from opening the database beside it (`x.db` in WAL mode:
 * SQLITE_CANTOPEN; `store.db`'s next write: disk I/O error). A folder of that name the target needs, and that
 * does not exist yet, is now refused as TARGET_INVALID naming it, before anything is made or asked.
 */
describe('join and restore never make a folder named as a database side file', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  let source: string;
  beforeAll(async () => {
    temp = tempDir('ess-ap5-side-folder-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 3, 'a');
    source = path.join(temp.dir, 'source.db');
    await backupDatabase(peer.data.file, source);
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it('restoreDatabase into a missing x.db-wal/ beside a WAL database x.db is TARGET_INVALID; x.db still opens', async () => {
    const events = path.join(temp.dir, 'events');
    mkdirSync(events);
    const live = new Database(path.join(events, 'x.db'));
    live.pragma('journal_mode = WAL');
    live.exec('CREATE TABLE t (a)');
    live.close();
    await expect(restoreDatabase(source, path.join(events, 'x.db-wal', 'app.db'))).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      message: expect.stringContaining(`would make the folder ${path.join(events, 'x.db-wal')}, named as the -wal of x.db`) as unknown,
    });
    expect(readdirSync(events)).toEqual(['x.db']);
    const reopened = new Database(path.join(events, 'x.db'));
    expect(reopened.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    reopened.close();
  });

  it.each([path.join('store.db-journal', 'app.db'), path.join('a', 'X.DB-SHM', 'b', 'app.db')])('joinFromPeer into missing folders %j is TARGET_INVALID, and nothing is made', async (relative) => {
    const dir = path.join(temp.dir, 'joins');
    mkdirSync(dir, { recursive: true });
    await expect(joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db: path.join(dir, relative) })).rejects.toMatchObject({ code: 'TARGET_INVALID', status: 400 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a restore into missing folders with ordinary names still makes them', async () => {
    const target = path.join(temp.dir, 'fresh', 'backup-wal.db.d', 'app.db');
    await restoreDatabase(source, target);
    expect(existsSync(target)).toBe(true);
  });
});
