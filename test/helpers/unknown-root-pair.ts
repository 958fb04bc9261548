import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from './data';
import { put } from './file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from './server';
import { tempDir } from './temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/** A node syncing roots `uploads` and `config` with a peer that has only `uploads` (it answers UNKNOWN_ROOT for `config`). */
export interface UnknownRootPair {
  /** The peer: a test server with the `notes` table tracked (unless started without data) and the root `uploads` only. */
  readonly peer: TestServer;
  /** The peer's database (`notes`). */
  readonly peerDb: TempDb;
  /** The local node (its `config` root holds `event.json`), mounted at `/api/sync` of `local`. */
  readonly node: SyncNode;
  readonly local: TestServer;
  /** Stops the node, closes both servers, removes the databases and folders. */
  close(): Promise<void>;
}

/**
 * Starts the pair on 127.0.0.1, in a temp folder named from `prefix`.
 * @param peerData - false: the peer syncs files only (its router has no database: its handshake answers `DATA_OFF`)
 */
export async function startUnknownRootPair(prefix: string, peerName = 'peer', peerData = true): Promise<UnknownRootPair> {
  const temp = tempDir(prefix);
  const [mine, theirs] = [tempDb(SCHEMA), tempDb(SCHEMA)];
  const dir = (name: string): string => {
    const made = path.join(temp.dir, name);
    mkdirSync(made, { recursive: true });
    return made;
  };
  const peerRoots = { uploads: dir('peer/uploads') };
  const peer = await startServer(makeApp(peerData ? { name: peerName, database: theirs.db, tables: ['notes'], roots: peerRoots } : { name: peerName, roots: peerRoots }));
  const roots = { uploads: dir('local/uploads'), config: dir('local/config') };
  put(roots.config, 'event.json', '{}');
  const node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: mine.db, tables: ['notes'], roots, peers: [`${peer.url}/api/sync`], stateDir: dir('state'), logger: silentLogger });
  const app = express();
  app.use('/api/sync', node.router);
  const local = await startServer(app);
  return {
    peer,
    peerDb: theirs,
    node,
    local,
    close: async () => {
      await node.stop(0);
      await local.close();
      await peer.close();
      mine.cleanup();
      theirs.cleanup();
      temp.cleanup();
    },
  };
}
