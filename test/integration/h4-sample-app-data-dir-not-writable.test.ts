import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { AS_ROOT, CAN_RUN_UNPRIVILEGED, runAppUnprivileged as runApp } from '../helpers/h4-unprivileged-app';
import { tempDir } from '../helpers/temp';
import { APP_PROCESS_TIMEOUT_MS } from '../helpers/k2-app-process';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * The careless operator's first start with sudo, then a start as themselves
 * (or a data folder on a read-only disk): SQLite said only "attempt to write a
 * readonly database" or "unable to open database file", and the token file a
 * bare EACCES, none naming DATA_DIR. Now one line names DATA_DIR and what
 * cannot be written, and nothing is written.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a DATA_DIR this user cannot write: one line naming DATA_DIR, before anything is written', () => {
  let temp: ReturnType<typeof tempDir>;
  let dataDir: string;
  /** What was made read-only for this user (as `nobody`, what root made already is), to undo before the clean-up. */
  let locked: string[] = [];
  const denyWrite = (target: string): void => {
    if (AS_ROOT) return;
    chmodSync(target, statSync(target).isDirectory() ? 0o555 : 0o444);
    locked.push(target);
  };
  const allowWrite = (target: string): void => {
    if (AS_ROOT) chmodSync(target, statSync(target).isDirectory() ? 0o777 : 0o666);
  };
  const ROOTS = ['instance', 'config', 'uploads', 'logs', 'static'];

  beforeEach(() => {
    temp = tempDir('ess-h4-readonly-');
    chmodSync(temp.dir, 0o755);
    dataDir = path.join(temp.dir, 'data');
    // The first start, by another user (root, with sudo): the folders, the database, the token.
    openSampleDatabase(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN }).dataDir).close();
  });
  afterEach(() => {
    for (const target of locked) chmodSync(target, 0o755);
    locked = [];
    temp.cleanup();
  });

  it('its folders made by another user: names DATA_DIR and instance/ (was "unable to open database file")', async () => {
    for (const root of ROOTS) denyWrite(path.join(dataDir, root));
    const result = await runApp({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sample app failed to start: DATA_DIR=${dataDir}: this user cannot write in its folder instance/ (EACCES), a data folder made by another user (an earlier start with sudo?) or on a read-only disk: give it to the user that runs the app (chown -R), or point DATA_DIR at a folder it can write\n`,
    });
  }, APP_PROCESS_TIMEOUT_MS);

  it('its database made by another user: names DATA_DIR and instance/app.db (was "attempt to write a readonly database")', async () => {
    allowWrite(dataDir); // where the app keeps its lock (.sample-app.lock)
    for (const root of ROOTS) allowWrite(path.join(dataDir, root));
    denyWrite(path.join(dataDir, 'instance', 'app.db'));
    const result = await runApp({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sample app failed to start: DATA_DIR=${dataDir}: this user cannot write its database file instance/app.db (EACCES), a data folder made by another user (an earlier start with sudo?) or on a read-only disk: give it to the user that runs the app (chown -R), or point DATA_DIR at a folder it can write\n`,
    });
    expect(existsSync(path.join(dataDir, 'instance', 'settings.json'))).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS);

  it('no token yet and DATA_DIR not writable: names DATA_DIR/.sync-token and SYNC_TOKEN (was a bare EACCES)', async () => {
    const fresh = path.join(temp.dir, 'fresh');
    mkdirSync(fresh);
    for (const root of ROOTS) mkdirSync(path.join(fresh, root));
    for (const root of ROOTS) allowWrite(path.join(fresh, root));
    denyWrite(fresh);
    const result = await runApp({ DATA_DIR: fresh });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sample app failed to start: DATA_DIR=${fresh}: cannot write the new sync token into DATA_DIR/.sync-token (EACCES): make DATA_DIR writable by this user, or set SYNC_TOKEN\n`,
    });
    expect(existsSync(path.join(fresh, '.sync-token'))).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS);
});
