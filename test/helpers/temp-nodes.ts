import path from 'node:path';
import Database from 'better-sqlite3';
import type express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import type { SyncNodeOptions } from '../../node/options';
import { TEST_SCHEMA } from './data';
import { startServer, TEST_TOKEN, type TestServer } from './server';
import { tempDir } from './temp';

/** The tables of `TEST_SCHEMA` that the nodes track. */
export const TEMP_NODE_TABLES = ['teams', 'reports'];

/** Sync nodes on temp databases of `TEST_SCHEMA`, each with its own state folder, for one test. */
export interface TempNodes {
  /** The temp folder of the running test. */
  readonly dir: string;
  /** A WAL database `<name>.db` of `TEST_SCHEMA`, closed after the test. */
  open(name: string): Database.Database;
  /** A node on `db` tracking `teams` and `reports`, with `peers`, stopped after the test (`stop()` may be called before). */
  node(db: Database.Database, name: string, peers: readonly string[], options?: Partial<SyncNodeOptions>): SyncNode;
  /** `app` served on 127.0.0.1, closed after the test. */
  serve(app: express.Express): Promise<TestServer>;
  /** Runs `close` after the test, before what was registered earlier. */
  later(close: () => unknown): void;
}

/**
 * Registers `beforeEach`/`afterEach` that give each test a temp folder and
 * close, in reverse order, every database, node and server it made there.
 * @param prefix - the temp folder's name prefix
 */
export function tempNodes(prefix: string): TempNodes {
  let temp: ReturnType<typeof tempDir> | undefined;
  const closing: (() => unknown)[] = [];
  beforeEach(() => {
    temp = tempDir(prefix);
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    temp?.cleanup();
  });
  const dir = (): string => {
    if (temp === undefined) throw new Error('tempNodes: used outside a test');
    return temp.dir;
  };
  return {
    get dir() {
      return dir();
    },
    open(name) {
      const db = new Database(path.join(dir(), `${name}.db`));
      db.pragma('journal_mode = WAL');
      db.exec(TEST_SCHEMA);
      closing.push(() => db.close());
      return db;
    },
    node(db, name, peers, options = {}) {
      const made = createSyncNode({ token: TEST_TOKEN, database: db, tables: TEMP_NODE_TABLES, peers: [...peers], stateDir: path.join(dir(), `state-${name}`), logger: silentLogger, ...options });
      closing.push(() => made.stop());
      return made;
    },
    async serve(app) {
      const server = await startServer(app);
      closing.push(() => server.close());
      return server;
    },
    later(close) {
      closing.push(close);
    },
  };
}
