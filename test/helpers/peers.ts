import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncNode } from '../../routes/sync-node';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { TEST_TOKEN } from './server';
import { tempDir } from './temp';

/** How peers are wired: who syncs with whom. */
export type Topology = 'chain' | 'star' | 'mesh';

/** One live sample-app server with its own data directory and database file. */
export interface LivePeer {
  readonly index: number;
  readonly url: string;
  readonly syncUrl: string;
  readonly dataDir: string;
  readonly db: Database.Database;
  readonly sync: SyncNode;
  readonly app: express.Express;
}

/** Who peer `index` syncs with, among `count` peers. */
export function neighbours(topology: Topology, index: number, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);
  if (topology === 'mesh') return all;
  if (topology === 'star') return index === 0 ? all : [0];
  return all.filter((i) => Math.abs(i - index) === 1);
}

/**
 * Starts `count` sample-app servers on 127.0.0.1 (ephemeral ports), each with
 * its own temp data directory and SQLite file, wired as `topology`.
 */
export async function startPeers(count: number, topology: Topology): Promise<{ peers: LivePeer[]; close(): Promise<void> }> {
  const temp = tempDir('ess-peers-');
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      let handler: http.RequestListener = (_req, res) => res.end();
      const server = http.createServer((req, res) => handler(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, port: (server.address() as AddressInfo).port, setHandler: (next: http.RequestListener) => (handler = next) };
    }),
  );
  const syncUrl = (i: number): string => `http://127.0.0.1:${servers[i]?.port ?? 0}/api/sync`;
  const peers = servers.map((entry, index): LivePeer => {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, `server-${index}`), SYNC_TOKEN: TEST_TOKEN });
    const db = openSampleDatabase(config.dataDir);
    const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers: neighbours(topology, index, count).map(syncUrl) });
    entry.setHandler(app);
    return { index, url: `http://127.0.0.1:${entry.port}`, syncUrl: syncUrl(index), dataDir: config.dataDir, db, sync, app };
  });
  return {
    peers,
    close: async () => {
      await Promise.all(peers.map((peer) => peer.sync.stop()));
      await Promise.all(
        servers.map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      for (const peer of peers) peer.db.close();
      temp.cleanup();
    },
  };
}
