import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { tableRows, tempDb, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, tempFilesUnder } from '../helpers/file-roots';
import { eventually } from '../helpers/h9-stalled-client';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Node {
  readonly data: TempDb;
  readonly roots: Record<string, string>;
  readonly client: SyncClient | undefined;
  readonly http: TestServer;
}

/**
 * A round syncs the data, then the files. While a large file crossed a slow
 * link, the round lasted as long, and the rows written meanwhile on either
 * side waited for it: 278 s for one row behind a 60 MB file at 300 KB/s, with
 * SYNC_INTERVAL_MS=3000. Now, while periodic syncs run, the data part runs
 * again every interval during the file phase.
 */
describe('rows keep flowing while a long file transfer runs', () => {
  let temp: ReturnType<typeof tempDir>;
  let nodes: Node[];
  let proxy: FaultProxy;
  let handshakes: { readonly at: number; readonly to: string }[];
  beforeEach(async () => {
    handshakes = [];
    temp = tempDir('ess-p0-data-files-');
    nodes = [];
    proxy = await startFaultProxy(1);
    const make = async (name: string, peers: string[]): Promise<Node> => {
      const data = tempDb(TEST_SCHEMA);
      const roots = makeRoots(path.join(temp.dir, name));
      const node = createSyncNode({ logger: silentLogger, peers, token: TEST_TOKEN, database: data.db, tables: ['teams', 'reports'], roots, stateDir: path.join(temp.dir, `state-${name}`), peerTimeoutMs: 60_000 });
      const app = express().use((req, _res, next) => {
        if (req.path.endsWith('/data/info')) handshakes.push({ at: Date.now(), to: name });
        next();
      });
      const made = { data, roots, client: node.client, http: await startServer(app.use('/api/sync', node.router)) };
      nodes.push(made);
      return made;
    };
    const source = await make('source', []);
    proxy.setTarget(source.http.port);
    proxy.setPlan(() => ({ kind: 'throttle', bytesPerSecond: 100_000 })); // slow Wi-Fi: a 4 MB file takes 40 s
    await make('laptop', [`${proxy.url}/api/sync`]);
  });
  afterEach(async () => {
    for (const node of nodes) await node.client?.stop(0);
    await proxy.close();
    for (const node of nodes) {
      await node.http.close();
      node.data.cleanup();
    }
    temp.cleanup();
  });

  it('a row written on the source during the transfer reaches the laptop before the file does, in the same round', async () => {
    const [source, laptop] = nodes as [Node, Node];
    put(source.roots.uploads as string, 'video.bin', Buffer.alloc(4_000_000, 7));
    const client = laptop.client as SyncClient;
    const results: PeerSyncResult[] = [];
    client.on('result', (result) => results.push(result));
    let inFiles = false;
    client.on('progress', (progress) => (inFiles ||= progress.phase === 'files'));
    const downloading = path.join(laptop.roots.uploads as string, 'video.bin');
    client.start(1_000);
    await eventually(30_000, () => inFiles && tempFilesUnder(laptop.roots.uploads as string).length > 0, 'the first round downloading the file');
    source.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run('t-1', 'written during the transfer');
    await eventually(30_000, () => tableRows(laptop.data.db, 'teams').length === 1, 'the row on the laptop');
    expect(existsSync(downloading)).toBe(false); // the file is still on its way
    expect(results).toEqual([]); // within the first round
    expect(client.peerStatuses()[0]).toMatchObject({ lagChanges: 0 }); // the status says so too
  }, 90_000);

  it('no data part starts once stop() began, though the file phase still runs through its grace', async () => {
    const [source, laptop] = nodes as [Node, Node];
    put(source.roots.uploads as string, 'video.bin', Buffer.alloc(4_000_000, 7));
    const client = laptop.client as SyncClient;
    let inFiles = false;
    client.on('progress', (progress) => (inFiles ||= progress.phase === 'files'));
    client.start(1_000);
    await eventually(30_000, () => inFiles && tempFilesUnder(laptop.roots.uploads as string).length > 0, 'the first round downloading the file');
    const stopAt = Date.now();
    await client.stop(3_000); // three intervals of grace: the file is far from done
    expect(handshakes.filter((handshake) => handshake.at >= stopAt)).toEqual([]);
  }, 90_000);
});
