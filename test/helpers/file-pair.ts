import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb } from './data';
import { makeRoots } from './file-roots';
import { startServer, TEST_TOKEN } from './server';
import { TABLES } from './snapshot';
import { tempDir } from './temp';

/** Both sides' file roots (root name → folder), for a hook to reach either while a request arrives. */
export interface FilePairRoots {
  readonly peerRoots: Record<string, string>;
  readonly roots: Record<string, string>;
}

/** A peer serving its sync router on 127.0.0.1 behind an app's own middleware, and a client here that syncs with it. */
export interface FilePair extends FilePairRoots {
  readonly peer: { readonly url: string };
  readonly client: SyncClient;
  /** Stops the client and the peer, and removes every database and folder. */
  close(): Promise<void>;
}

/**
 * Starts a peer whose Express app runs `hooks` (middleware that acts on the
 * files as a request arrives: a log written to, a file swapped for a folder)
 * before its sync router at `/api/sync`, and a client here with its own roots.
 * @param prefix - the temp folder's name prefix
 */
export async function startFilePair(prefix: string, hooks: (app: express.Express, sides: FilePairRoots) => void): Promise<FilePair> {
  const temp = tempDir(prefix);
  const peerData = tempDb(TEST_SCHEMA);
  const local = tempDb(TEST_SCHEMA);
  const sides: FilePairRoots = { peerRoots: makeRoots(path.join(temp.dir, 'peer')), roots: makeRoots(path.join(temp.dir, 'local')) };
  const peerNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peerData.db, tables: TABLES, roots: sides.peerRoots });
  const app = express();
  hooks(app, sides);
  app.use('/api/sync', peerNode.router);
  const peer = await startServer(app);
  const node = createSyncNode({ logger: silentLogger, peers: [`${peer.url}/api/sync`], token: TEST_TOKEN, database: local.db, tables: TABLES, roots: sides.roots, stateDir: path.join(temp.dir, 'state') });
  const client = node.client as SyncClient;
  return {
    ...sides,
    peer,
    client,
    async close() {
      await client.stop(0);
      await peer.close();
      peerData.cleanup();
      local.cleanup();
      temp.cleanup();
    },
  };
}
