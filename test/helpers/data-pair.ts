import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { tempDb, type TempDb } from './data';
import { startServer, TEST_TOKEN, type TestServer } from './server';

/** Two servers of a data test: `here` runs a sync node whose one peer is `there`, served over HTTP. */
export interface DataPair {
  readonly here: TempDb;
  readonly there: TempDb;
  readonly server: TestServer;
  readonly node: SyncNode;
}

/**
 * Starts a {@link DataPair}: `here` and `there` made with their schemas, both capturing `tables`, pages sent
 * uncompressed (a test reads them as they are); the caller closes it with {@link closeDataPair}.
 */
export async function startDataPair(hereSchema: string, thereSchema: string, tables: readonly string[]): Promise<DataPair> {
  const here = tempDb(hereSchema);
  const there = tempDb(thereSchema);
  const server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: there.db, tables: [...tables] })));
  const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: here.db, tables: [...tables], peers: [`${server.url}/api/sync`], peerCompression: 'identity' });
  return { here, there, server, node };
}

/** Stops the node, closes the server and removes both databases. */
export async function closeDataPair(pair: DataPair): Promise<void> {
  await pair.node.stop();
  await pair.server.close();
  pair.here.cleanup();
  pair.there.cleanup();
}
