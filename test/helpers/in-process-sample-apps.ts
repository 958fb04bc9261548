import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { TEST_TOKEN } from './server';

/**
 * Sample apps started in this process (`startSampleApp`), each on
 * 127.0.0.1 port 0 with its own `DATA_DIR` under one folder and the test
 * token; closed together by {@link InProcessSampleApps.closeAll}.
 */
export class InProcessSampleApps {
  readonly #dir: () => string;
  readonly #defaults: Record<string, string>;
  readonly #running: RunningSampleApp[] = [];

  /**
   * @param dir - the folder the apps' data folders go in (read at each start: a test's temp folder made in `beforeEach`)
   * @param defaults - env given to every app (`SYNC_INTERVAL_MS: '2147483647'`: no round but those a test starts)
   */
  constructor(dir: () => string, defaults: Record<string, string> = {}) {
    this.#dir = dir;
    this.#defaults = defaults;
  }

  /** Starts the app named `name` (its `DATA_DIR` is `<dir>/<name>`) with `env` over the defaults. */
  async start(name: string, env: Record<string, string> = {}): Promise<RunningSampleApp> {
    const config = readSampleConfig({ DATA_DIR: path.join(this.#dir(), name), SYNC_TOKEN: TEST_TOKEN, PORT: '0', HOST: '127.0.0.1', ...this.#defaults, ...env });
    const app = await startSampleApp(config, silentLogger);
    this.#running.push(app);
    return app;
  }

  /** Closes one app now (a laptop that leaves); {@link closeAll} then leaves it be. */
  async close(app: RunningSampleApp): Promise<void> {
    const index = this.#running.indexOf(app);
    if (index >= 0) this.#running.splice(index, 1);
    await app.close();
  }

  /** Closes every app started, in order. */
  async closeAll(): Promise<void> {
    for (const app of this.#running.splice(0)) await app.close();
  }
}
