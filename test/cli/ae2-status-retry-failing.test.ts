import http from 'node:http';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createSyncNode, type SyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { tempDb, type TempDb } from '../helpers/data';
import { runCli } from '../helpers/h7-cli';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// A peer that fails, then no longer answers (a host gone from the network: each try waits `peerTimeoutMs`), is
// retrying most of the time. `status` printed such a peer as plain "syncing", its failures and its last error
// left out, while /status and the status page show them: the operator read a peer failing round after round
// as one busy syncing.
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';

async function failingThenSilentPeer(): Promise<{ url: string; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    if (requests === 1) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    } // later requests are never answered
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('express-sqlite-sync status: a peer retried after failures', () => {
  let here: TempDb;
  let peer: Awaited<ReturnType<typeof failingThenSilentPeer>>;
  let node: SyncNode;
  let server: TestServer;
  beforeAll(async () => {
    here = tempDb(SCHEMA);
    peer = await failingThenSilentPeer();
    node = createSyncNode({ token: TEST_TOKEN, database: here.db, tables: ['notes'], peers: [peer.url], logger: silentLogger });
    server = await startServer(express().use('/api/sync', node.router));
    node.start(1000);
  });
  afterAll(async () => {
    await node.stop(0);
    await server.close();
    await peer.close();
    here.cleanup();
  });

  it('prints its failures and last error while it is being retried', async () => {
    for (;;) {
      const [status] = node.client?.peerStatuses() ?? [];
      if (status !== undefined && status.running && status.failures >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await runCli(['status', '--url', `${server.url}/api/sync`], { SYNC_TOKEN: TEST_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((text) => text.startsWith(`- ${peer.url}`));
    expect(line).toContain('syncing');
    expect(line).toMatch(/syncing \(failed 1× before\): PEER_ERROR: /);
  });
});
