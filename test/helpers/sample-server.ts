import path from 'node:path';
import type Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, TEST_TOKEN, type TestServer } from './server';
import { tempDir } from './temp';

/** One live sample app on 127.0.0.1 with its own temp data directory. */
export interface SampleServer {
  readonly url: string;
  readonly dataDir: string;
  readonly db: Database.Database;
  readonly server: TestServer;
  /** Closes the server and the database, and removes the data directory. */
  close(): Promise<void>;
}

/** Starts the sample app (no peers) on an ephemeral port of 127.0.0.1. */
export async function startSampleServer(): Promise<SampleServer> {
  const temp = tempDir('ess-sample-');
  const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
  const db = openSampleDatabase(config.dataDir);
  const server = await startServer(createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: silentLogger }).app);
  return {
    url: server.url,
    dataDir: config.dataDir,
    db,
    server,
    close: async () => {
      await server.close();
      db.close();
      temp.cleanup();
    },
  };
}

/** Row counts of the scouting tables, to show that a refused request changed nothing. */
export function scoutingCounts(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of ['teams', 'matches', 'match_reports']) counts[table] = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return counts;
}
