import path from 'node:path';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { runSampleApp, spawnSampleApp } from '../helpers/k3-sample-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * The careless operator runs `npm start` twice with the same settings (a second terminal, a service
 * started beside a shell): same DATA_DIR, same PORT. The second start used to stop naming DATA_DIR
 * (another running sample app holds it). Since the listen check moved before the data folder
 * (0e71385) it said "PORT=…: the port is in use by another program; stop it or choose another
 * PORT": the operator chose another PORT and got two apps' worth of trouble one step later. The
 * running app on DATA_DIR is said first, as before.
 */
describe('npm start twice with the same DATA_DIR and PORT', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-ao5-twice-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it(
    'the second start names DATA_DIR in use by another running sample app, not the port',
    async () => {
      const env = { DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN, LOG_LEVEL: 'silent' };
      const first = spawnSampleApp(env, { stderr: 'inherit' });
      const port = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        first.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const url = /Sample app: https?:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
          if (url?.[1] !== undefined) resolve(url[1]);
        });
        first.once('close', (code) => reject(new Error(`the first app exited (${code}) before listening`)));
      });
      const second = await runSampleApp({ ...env, PORT: port }, APP_PROCESS_KILL_MS);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^sample app failed to start: DATA_DIR=.* is in use by another running sample app/);
    },
    APP_PROCESS_TIMEOUT_MS * 2,
  );
});
