import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createSyncNode, type SyncNode, type SyncNodeOptions } from '../../index';
import { silentLogger } from '../../lib/logger';
import { TEST_SCHEMA, tempDb, type TempDb } from './data';
import { makeRoots } from './file-roots';
import { startServer, TEST_TOKEN, type TestServer } from './server';
import { TABLES } from './snapshot';
import { tempDir } from './temp';

/** A server of a snapshot-join test: its database, sync node, HTTP server, and the requests it was asked (`METHOD url`). */
export interface JoinServer {
  readonly data: TempDb;
  readonly node: SyncNode;
  readonly http: TestServer;
  readonly syncUrl: string;
  readonly asked: string[];
  /** Its sync roots, by name. */
  readonly roots: Record<string, string>;
  /** Its state folder, when it has peers. */
  readonly stateDir: string | undefined;
}

/** How {@link JoinServers.start} builds a server. */
export interface JoinServerOptions {
  /** Its peers: it gets a sync client, a state folder and `snapshotMinChanges: 100`. */
  readonly peers?: readonly string[];
  /** More node options (`peerTimeoutMs`, `serveSnapshots`, …). */
  readonly node?: Partial<SyncNodeOptions>;
  /** Handlers run before the sync router for a path under `/api/sync` (`['/data/snapshot', hold]`). */
  readonly before?: readonly (readonly [string, express.RequestHandler])[];
}

/** Servers made per test by {@link joinServersPerTest}. */
export interface JoinServers {
  /** Starts a server named `name` (its folders under the test's temp folder) on 127.0.0.1. */
  start(name: string, options?: JoinServerOptions): Promise<JoinServer>;
  /** Runs `close` after the test, before the servers stop (to let held answers go, stop clients, close proxies). */
  beforeClose(close: () => unknown): void;
}

/**
 * Sync servers for a `describe` block on snapshot joins: each test gets its
 * own temp folder (named by `prefix`); after it, what {@link JoinServers.beforeClose}
 * was given runs, then every server stops, and the folder is removed.
 */
export function joinServersPerTest(prefix: string): JoinServers {
  let temp: ReturnType<typeof tempDir> | undefined;
  const servers: JoinServer[] = [];
  const closers: (() => unknown)[] = [];
  beforeEach(() => {
    temp = tempDir(prefix);
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const server of servers.splice(0)) {
      await server.node.stop();
      await server.http.close();
      server.data.cleanup();
    }
    temp?.cleanup();
  });
  return {
    beforeClose: (close) => closers.push(close),
    async start(name, options = {}) {
      const dir = temp?.dir ?? '';
      const data = tempDb(TEST_SCHEMA);
      const stateDir = options.peers === undefined ? undefined : path.join(dir, `state-${name}`);
      const peers = options.peers === undefined ? {} : { peers: [...options.peers], stateDir, snapshotMinChanges: 100 };
      const roots = makeRoots(path.join(dir, `${name}-${randomUUID()}`));
      const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots, ...peers, ...options.node });
      const asked: string[] = [];
      const app = express().use((req, _res, next) => {
        asked.push(`${req.method} ${req.originalUrl}`);
        next();
      });
      for (const [route, handler] of options.before ?? []) app.use(`/api/sync${route}`, handler);
      const http = await startServer(app.use('/api/sync', node.router));
      const server = { data, node, http, syncUrl: `${http.url}/api/sync`, asked, roots, stateDir };
      servers.push(server);
      return server;
    },
  };
}
