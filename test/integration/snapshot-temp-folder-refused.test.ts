import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enableCapture } from '../../lib/data/capture';
import { openSampleDatabase } from '../../sample-app/database';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { startLimitedSampleApp } from '../helpers/limited-sample-app';
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
});
