import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { openSampleDatabase } from '../../sample-app/database';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { startLimitedSampleApp } from '../helpers/limited-sample-app';
import { cli } from '../helpers/snapshot';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** Teams written before the app starts: about 5 MB of database, past the file size limit below. */
const TEAMS = 8000;
/** The app's file size limit, in the shell's 512-byte blocks (2 MB): the snapshot, a copy of the database, cannot be written. */
const LIMIT_BLOCKS = 4000;

/**
 * A server whose temp folder refuses the snapshot's write (a full disk, a file
 * size limit, a read-only folder) answered `GET /data/snapshot` with 500
 * SNAPSHOT_FAILED "the snapshot could not be built": an "internal error" to
 * the joining server's operator, though nothing is wrong with the code. It is
 * 507 now, naming the cause and the fix; the code stays SNAPSHOT_FAILED (a
 * joining server then syncs page by page), and no temp folder is left behind.
 */
describe('a snapshot the serving server has no room to write', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-snapshot-refused-');
    mkdirSync(path.join(temp.dir, 'data', 'instance'), { recursive: true });
    const db = openSampleDatabase(path.join(temp.dir, 'data'));
    try {
      enableCapture(db, { tables: [...SCOUTING_TABLES] });
      const insert = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
      db.transaction(() => {
        for (let index = 0; index < TEAMS; index += 1) insert.run(randomUUID(), index + 1, `team ${index} ${'x'.repeat(600)}`);
      })();
    } finally {
      db.close();
    }
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('is 507 SNAPSHOT_FAILED naming the temp folder and the fix, with nothing left behind', async () => {
    const { child, syncUrl } = await startLimitedSampleApp(path.join(temp.dir, 'data'), LIMIT_BLOCKS);
    const response = await fetch(`${syncUrl}/data/snapshot`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(response.status).toBe(507);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: { code: 'SNAPSHOT_FAILED', message: expect.stringMatching(/temp folder refused the write \(SQLITE_IOERR_WRITE: .*TMPDIR.*page by page/) as unknown },
    });
    expect(readdirSync(os.tmpdir()).filter((name) => name.startsWith(`ess-snapshot-${String(child.pid)}-`))).toEqual([]);
    // The server still answers, and its data is whole.
    const teams = (await (await fetch(syncUrl.replace(/\/sync$/, '/teams'))).json()) as unknown[];
    expect(teams).toHaveLength(TEAMS);
  }, APP_PROCESS_TIMEOUT_MS);

  // The 507's message said "A joining server syncs page by page instead", as docs/API.md said "`join` then syncs page
  // by page": the CLI's `join` and `joinFromPeer` do not (a join is a snapshot). A join now says nothing was made and
  // how a new server starts without one; a SyncClient joining by sync pages instead; nothing is left behind (ab3).
  it('stops a CLI join and joinFromPeer saying nothing was made, and a SyncClient joining by sync pages instead', async () => {
    const { syncUrl } = await startLimitedSampleApp(path.join(temp.dir, 'data'), LIMIT_BLOCKS);
    const target = path.join(temp.dir, 'new', 'deep', 'app.db');
    const viaCli = await cli('join', '--from', syncUrl, '--db', target, '--token', TEST_TOKEN);
    expect(viaCli.code).not.toBe(0);
    expect(viaCli.stderr).toMatch(/temp folder refused the write.*Nothing was made: a join needs the snapshot.*started with an empty database, it pulls everything page by page/);
    expect(viaCli.stderr).not.toMatch(/A joining server syncs page by page/);
    expect(existsSync(path.join(temp.dir, 'new'))).toBe(false);
    const api = await joinFromPeer({ url: syncUrl, token: TEST_TOKEN, db: target }).then(
      () => 'joined',
      (error: { code?: string; status?: number; message?: string }) => `${error.code} ${error.status} ${error.message}`,
    );
    expect(api).toMatch(/^SNAPSHOT_FAILED 507 .*Nothing was made: a join needs the snapshot/);
    expect(existsSync(path.join(temp.dir, 'new'))).toBe(false);
    // A SyncClient with an empty database and joinBySnapshot: pages instead.
    mkdirSync(path.join(temp.dir, 'fresh', 'instance'), { recursive: true });
    const fresh = openSampleDatabase(path.join(temp.dir, 'fresh'));
    const client = new SyncClient({ logger: silentLogger, peers: [syncUrl], token: TEST_TOKEN, data: enableCapture(fresh, { tables: [...SCOUTING_TABLES] }), joinBySnapshot: true, snapshotMinChanges: 1 } as never);
    try {
      const round = await client.syncPeer(syncUrl);
      expect(round).toMatchObject({ ok: true, rowsPulled: TEAMS });
    } finally {
      await client.stop();
      fresh.close();
    }
    expect(readdirSync(path.join(temp.dir, 'fresh')).filter((name) => !/^(instance|app\.db.*|.*\.sqlite3.*|files)$/.test(name))).toEqual([]);
  }, APP_PROCESS_TIMEOUT_MS * 2);
});
