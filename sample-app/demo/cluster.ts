import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type express from 'express';
import { answerClientErrorsAsJson, silentLogger, type SyncLogger, type SyncNode, type TransportOptions } from '../../index';
import { createSampleApp } from '../app';
import { readSampleConfig } from '../config';
import { openSampleDatabase } from '../database';

/** One running demo server. */
export interface DemoServer {
  /** `A`, `B`, `C`, … */
  readonly name: string;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Its sync API, as its peers know it. */
  readonly syncUrl: string;
  readonly dataDir: string;
  readonly db: Database.Database;
  /** Its app, and its sync node (`sync.syncNow()`). */
  readonly app: express.Express;
  readonly sync: SyncNode;
  /** Its HTTP listener (close it to take the server off the network while its peers go on). */
  readonly listener: http.Server;
}

/** Who server `index` syncs with, among `count`; the default is everyone else (a mesh). */
export type PeersOf = (index: number, count: number) => readonly number[];

const mesh: PeersOf = (index, count) => Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);

/** How the servers of a cluster are set up beyond their peers. */
export interface ClusterOptions {
  /** The logger of each server, by name. @defaultValue silent */
  readonly loggerFor?: (name: string) => SyncLogger;
  /** Transports besides the HTTP peers (a NATS stream), for all or per server (by index). @defaultValue none */
  readonly transport?: TransportOptions | ((index: number) => TransportOptions | undefined);
}

/** The running servers and how to stop them. */
export interface DemoCluster {
  readonly servers: readonly DemoServer[];
  /** Stops the sync clients, closes the servers and the databases. */
  close(): Promise<void>;
}

interface Listener {
  readonly server: http.Server;
  readonly port: number;
  handle(app: http.RequestListener): void;
}

/** A server on a free port of 127.0.0.1 whose handler is set later, once every peer's URL is known. */
async function listenOnFreePort(): Promise<Listener> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  answerClientErrorsAsJson(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port, handle: (app) => (handler = app) };
}

/**
 * Starts `names.length` sample apps on free ports of 127.0.0.1, each with its
 * own data directory under `baseDir` and its name as its sync name, wired by
 * `peersOf` (default: every one a peer of every other). Periodic sync stays
 * off: callers run rounds themselves. `options.transport` puts them on a
 * NATS stream as well (one for all, or per server).
 */
export async function startDemoCluster(names: readonly string[], baseDir: string, token: string, peersOf: PeersOf = mesh, options: ClusterOptions = {}): Promise<DemoCluster> {
  const listeners = await Promise.all(names.map(() => listenOnFreePort()));
  const syncUrls = listeners.map((listener) => `http://127.0.0.1:${listener.port}/api/sync`);
  const nodes = listeners.map((listener, index) => {
    const config = readSampleConfig({ DATA_DIR: path.join(baseDir, names[index] ?? String(index)), SYNC_TOKEN: token });
    const db = openSampleDatabase(config.dataDir);
    const peers = peersOf(index, names.length).map((other) => syncUrls[other] ?? '');
    const name = names[index] ?? String(index);
    const transport = typeof options.transport === 'function' ? options.transport(index) : options.transport;
    const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token, logger: options.loggerFor?.(name) ?? silentLogger, peers, name, transport });
    listener.handle(app);
    const server: DemoServer = { name, url: `http://127.0.0.1:${listener.port}`, syncUrl: syncUrls[index] ?? '', dataDir: config.dataDir, db, app, sync, listener: listener.server };
    return { server };
  });
  return {
    servers: nodes.map((node) => node.server),
    close: async () => {
      await Promise.all(nodes.map((node) => node.server.sync.stop()));
      await Promise.all(
        listeners.map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      for (const node of nodes) node.server.db.close();
    },
  };
}
