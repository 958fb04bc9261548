import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { runSampleApp } from '../helpers/k3-sample-app-process';
import { diskFailureAtStart } from '../../sample-app/data-folders';
import { tempDir } from '../helpers/temp';

/**
 * Found by helper ag2: a sample app started with SYNC_TOKEN on a disk with no room stopped with
 * "sample app failed to start: database or disk is full" (a file over the user's size limit: "disk I/O
 * error"), naming neither DATA_DIR nor what to do, where the same start without SYNC_TOKEN names DATA_DIR
 * and the fix for its token file. The database's failure now says it the same way.
 */
describe('ag2: the sample app started with SYNC_TOKEN where no file can be written', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-ag2-start-full-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('names DATA_DIR, the code and the fix; no stack trace', async () => {
    const dataDir = path.join(temp.dir, 'event data');
    mkdirSync(dataDir);
    const failed = await runSampleApp({ DATA_DIR: dataDir, SYNC_TOKEN: 'ag2-token-0123456789abcdef' }, APP_PROCESS_KILL_MS, { writesCut: true });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      // ah3: SQLite's "disk I/O error" does not say the disk is full: the message names the code and every likely cause.
      `sample app failed to start: DATA_DIR=${dataDir}: the start could not write its files there (SQLITE_IOERR_WRITE: disk I/O error); the system did not say why: the disk may be full or a file over this user's size limit (df -h, ulimit -f), the files may not be writable by this user (permissions, a read-only or network mount), or the device may be failing (the system log, dmesg, says so); fix that, or point DATA_DIR at another disk\n`,
    );
  }, APP_PROCESS_TIMEOUT_MS);

  it.each([
    ['SQLITE_FULL', 'database or disk is full'],
    ['ENOSPC', 'ENOSPC: no space left on device, write'],
    ['EDQUOT', 'EDQUOT: disk quota exceeded, write'],
  ])('a full disk (%s) is said the same way', (code, message) => {
    const said = diskFailureAtStart(Object.assign(new Error(message), { code }), '/srv/data');
    expect(said?.message).toBe(`DATA_DIR=/srv/data: the start could not write its files there (${code}: ${message}): the disk is full, or a file is over this user's size limit; free some space, or point DATA_DIR at another disk`);
  });

  it.each(['SQLITE_CORRUPT', 'EACCES', undefined])('any other failure (%s) is left as it is', (code) => {
    expect(diskFailureAtStart(Object.assign(new Error('x'), { code }), '/srv/data')).toBeUndefined();
  });
});
