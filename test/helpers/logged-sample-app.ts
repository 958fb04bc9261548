import path from 'node:path';
import type Database from 'better-sqlite3';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { captureLog, type CapturedLog } from './log';
import { startServer, TEST_TOKEN, type TestServer } from './server';
import { tempDir } from './temp';

/** A sample app listening on 127.0.0.1, in a temp data folder, whose log lines a test reads. */
export interface LoggedSampleApp {
  readonly server: TestServer;
  /** Its database (a test may close it to make a page fail). */
  readonly db: Database.Database;
  readonly log: CapturedLog;
  /** Stops the server, closes the database if still open, removes the folder. */
  close(): Promise<void>;
}

/** Starts a sample app (token {@link TEST_TOKEN}) with a captured log, for tests of what it logs. */
export async function startLoggedSampleApp(prefix: string): Promise<LoggedSampleApp> {
  const temp = tempDir(prefix);
  const log = captureLog();
  const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
  const db = openSampleDatabase(config.dataDir);
  const server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: log.logger }).app);
  return {
    server,
    db,
    log,
    async close() {
      await server.close();
      if (db.open) db.close();
      temp.cleanup();
    },
  };
}
