import type http from 'node:http';
import type Database from 'better-sqlite3';
import type express from 'express';
import type { SyncNode } from '../../node/create-sync-node';
import { startDemoCluster, type ClusterOptions } from '../../sample-app/demo/cluster';
import { TEST_TOKEN } from './server';
import { tempDir } from './temp';

/** How peers are wired: who syncs with whom (`none`: no HTTP peers, e.g. with NATS only). */
export type Topology = 'chain' | 'star' | 'mesh' | 'none';

/** One live sample-app server with its own data directory and database file. */
export interface LivePeer {
  readonly index: number;
  readonly url: string;
  readonly syncUrl: string;
  readonly dataDir: string;
  readonly db: Database.Database;
  readonly sync: SyncNode;
  readonly app: express.Express;
  /** Its HTTP listener: close it to take the server down while its peers go on. */
  readonly listener: http.Server;
}

/** Who peer `index` syncs with, among `count` peers. */
export function neighbours(topology: Topology, index: number, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);
  if (topology === 'none') return [];
  if (topology === 'mesh') return all;
  if (topology === 'star') return index === 0 ? all : [0];
  return all.filter((i) => Math.abs(i - index) === 1);
}

/**
 * Starts `count` sample-app servers on 127.0.0.1 (ephemeral ports), each with
 * its own temp data directory and SQLite file, wired as `topology` (the
 * demo's cluster, so tests and `npm run demo` start servers the same way),
 * and on `options.transport` when given (a NATS stream for the fleet).
 */
export async function startPeers(count: number, topology: Topology, options: ClusterOptions = {}): Promise<{ peers: LivePeer[]; close(): Promise<void> }> {
  const temp = tempDir('ess-peers-');
  const names = Array.from({ length: count }, (_, index) => `server-${index}`);
  const cluster = await startDemoCluster(names, temp.dir, TEST_TOKEN, (index, total) => neighbours(topology, index, total), options);
  return {
    peers: cluster.servers.map((server, index) => ({ index, ...server })),
    close: async () => {
      await cluster.close();
      temp.cleanup();
    },
  };
}
