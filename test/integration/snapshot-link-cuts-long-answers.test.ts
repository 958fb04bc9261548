import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { tableRows, TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/** A proxy to `target` that passes every answer but a snapshot's, whose body it cuts after `cutAfter` bytes, every time. */
async function startSnapshotCutter(target: string, cutAfter: number): Promise<{ url: string; snapshots: () => number; close(): Promise<void> }> {
  let snapshots = 0;
  const server = http.createServer((req, res) => {
    const isSnapshot = (req.url ?? '').includes('/data/snapshot');
    if (isSnapshot) snapshots += 1;
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        if (isSnapshot && sent > cutAfter) {
          answer.destroy();
          res.socket?.destroy(); // the link drops, mid-body
          return;
        }
        res.write(chunk);
      });
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    snapshots: () => snapshots,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Found by a hostile probe (helper v2): an empty server behind a link that cuts long answers downloaded the
// peer's snapshot again from byte 0 every round and never synced, though pages (short) came through.
describe('an empty server whose link cuts every snapshot download', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  let local: TempDb;
  let cutter: Awaited<ReturnType<typeof startSnapshotCutter>>;
  let client: SyncClient | undefined;
  beforeEach(async () => {
    temp = tempDir('ess-snapshot-cuts-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 3000, 'peer');
    cutter = await startSnapshotCutter(peer.server.url, 20_000);
    local = tempDb(TEST_SCHEMA);
  });
  afterEach(async () => {
    await client?.stop(0);
    await cutter.close();
    await peer.server.close();
    peer.data.cleanup();
    local.cleanup();
    temp.cleanup();
  });

  it('pages from the peer after two broken downloads, and converges', async () => {
    const url = `${cutter.url}/api/sync`;
    const node = createSyncNode({ logger: silentLogger, peers: [url], token: TEST_TOKEN, database: local.db, tables: TABLES, snapshotMinChanges: 100, peerTimeoutMs: 30_000 });
    client = node.client as SyncClient;
    const first = await client.syncPeer(url);
    const second = await client.syncPeer(url);
    expect([first.ok, second.ok]).toEqual([false, false]); // each broken download fails its round, as unreachable
    expect(second.error?.code).toBe('ECONNRESET');
    const asked = cutter.snapshots();
    expect(asked).toBeGreaterThanOrEqual(2);
    const third = await client.syncPeer(url); // paged: no snapshot asked for again
    expect(third.error).toBeUndefined();
    expect(third).toMatchObject({ ok: true });
    expect(cutter.snapshots()).toBe(asked);
    expect(tableRows(local.db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
  });
});
