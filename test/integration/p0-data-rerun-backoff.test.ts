import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult, SyncProgress } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { tempDb, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put } from '../helpers/file-roots';
import { eventually } from '../helpers/h9-stalled-client';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * The data part rerun during a long file phase (7d98e11) ran again every
 * interval after a failure no retry cures: a row the peer refuses as too large
 * was sent over the file's slow link 20 times in one 20 s round (reviewer q2).
 * After a failure the wait now doubles; and each rerun's handshake no longer
 * leaves the round's progress saying "handshake" while the file goes on.
 */
describe('data reruns during a file phase after a failure', () => {
  let temp: ReturnType<typeof tempDir>;
  let proxy: FaultProxy;
  const closers: (() => Promise<void> | void)[] = [];
  beforeEach(async () => {
    temp = tempDir('ess-p0-rerun-');
    proxy = await startFaultProxy(1);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await proxy.close();
    temp.cleanup();
  });

  it('back off, and the progress goes back to the files after each', async () => {
    const posts: number[] = [];
    const make = async (name: string, peers: string[], refusePushes: boolean): Promise<{ data: TempDb; roots: Record<string, string>; client: SyncClient | undefined; http: TestServer }> => {
      const data = tempDb(TEST_SCHEMA);
      const roots = makeRoots(path.join(temp.dir, name));
      const node = createSyncNode({ logger: silentLogger, peers, token: TEST_TOKEN, database: data.db, tables: ['teams', 'reports'], roots, stateDir: path.join(temp.dir, `state-${name}`), peerTimeoutMs: 60_000 });
      const app = express().use((req, res, next) => {
        if (refusePushes && req.method === 'POST' && req.path.endsWith('/data/changes')) {
          posts.push(Date.now());
          res.status(413).json({ error: { code: 'BODY_TOO_LARGE', message: 'too large' } });
          return;
        }
        next();
      });
      const http = await startServer(app.use('/api/sync', node.router));
      closers.push(() => data.cleanup(), () => http.close(), async () => void (await node.client?.stop(0)));
      return { data, roots, client: node.client, http };
    };
    const source = await make('source', [], true);
    proxy.setTarget(source.http.port);
    proxy.setPlan(() => ({ kind: 'throttle', bytesPerSecond: 100_000 })); // a 2 MB file takes about 20 s
    const laptop = await make('laptop', [`${proxy.url}/api/sync`], false);
    put(source.roots.uploads as string, 'video.bin', Buffer.alloc(2_000_000, 7));
    laptop.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run('big', 'x'.repeat(20_000)); // the source refuses it every time
    const client = laptop.client as SyncClient;
    const results: PeerSyncResult[] = [];
    const progress: SyncProgress[] = [];
    client.on('result', (result) => results.push(result));
    client.on('progress', (step) => progress.push(step));
    client.start(1_000);
    await eventually(90_000, () => results.length > 0, 'the first round');
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'ROW_TOO_LARGE' } });
    expect(posts.length).toBeGreaterThanOrEqual(2); // it was tried again during the file
    expect(posts.length).toBeLessThanOrEqual(8); // not every second: 2, 4, 8, 16 s apart
    const last = progress.filter((step) => step.peer === `${proxy.url}/api/sync`).at(-1);
    expect(last?.phase).toBe('files');
  }, 120_000);
});
