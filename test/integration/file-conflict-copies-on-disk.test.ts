import { rmSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { formatStatus } from '../../bin/commands/status';
import type { SyncStatus } from '../../lib/peers/sync-status';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const pit = (peer: LivePeer): string => path.join(peer.dataDir, 'uploads', 'pit');

async function statusOf(peer: LivePeer): Promise<SyncStatus> {
  const { body } = await request(peer.app).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
  return body as SyncStatus;
}

async function metricsOf(peer: LivePeer): Promise<string> {
  const { text } = await request(peer.app).get('/api/sync/metrics').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
  return text;
}

/** One round of `from` with `to`; it must succeed. */
async function syncPair(from: LivePeer, to: LivePeer): Promise<void> {
  const result = await from.sync.client?.syncPeer(to.syncUrl);
  expect(result).toMatchObject({ ok: true, fileErrors: [] });
}

describe('GET /status fileConflictCopies: the conflict copies on disk, on every server that holds them', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let a: LivePeer;
  let b: LivePeer;

  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh');
    [a, b] = cluster.peers as [LivePeer, LivePeer];
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('lists the copy on the server whose round kept it and on the peer that only received it, in JSON, /metrics and the CLI, until it is deleted', async () => {
    put(pit(a), 'robot.txt', 'base');
    await syncPair(a, b);
    put(pit(a), 'robot.txt', 'version A');
    put(pit(b), 'robot.txt', 'version B');
    await syncPair(a, b);
    expect((await statusOf(a)).fileConflicts).toHaveLength(1);
    expect((await statusOf(b)).fileConflicts).toEqual([]); // B's own rounds kept nothing: the in-memory list cannot tell B
    await syncPair(a, b); // a round scans both roots whole again
    await syncPair(b, a);
    for (const peer of [a, b]) {
      const status = await statusOf(peer);
      expect(status.fileConflictCopies).toEqual([
        {
          root: 'uploads',
          at: expect.any(String),
          count: 1,
          copies: [{ path: 'uploads/pit/robot.txt', copyPath: expect.stringMatching(/^uploads\/pit\/robot\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]+\.txt$/) }],
        },
      ]);
      expect(await metricsOf(peer)).toContain('express_sqlite_sync_file_conflict_copies{root="uploads"} 1');
      expect(formatStatus(status as never)).toContain('! CONFLICT COPIES in uploads (1)');
    }
    const copy = (await statusOf(b)).fileConflictCopies[0]?.copies[0]?.copyPath ?? '';
    rmSync(path.join(b.dataDir, copy));
    await syncPair(b, a); // the deletion travels to A
    await syncPair(a, b);
    for (const peer of [a, b]) {
      expect((await statusOf(peer)).fileConflictCopies).toEqual([]);
      expect(await metricsOf(peer)).toContain('express_sqlite_sync_file_conflict_copies{root="uploads"} 0');
    }
  });

  it('names no file for a copy whose original is gone, and counts past the 20 it lists', async () => {
    put(pit(a), 'kept.sync-conflict-20261201-101500-ABC1234.txt', 'old version');
    for (let i = 0; i < 22; i += 1) put(pit(a), `f${String(i).padStart(2, '0')}.sync-conflict-20261201-101500-ABC1234.json`, `v${i}`);
    put(pit(a), 'f00.json', 'current');
    put(pit(a), 'notes.sync-conflict-later.txt', 'a hand-made name, not a copy');
    await syncPair(a, b);
    const [root] = (await statusOf(a)).fileConflictCopies;
    expect(root?.count).toBe(23);
    expect(root?.copies).toHaveLength(20);
    expect(root?.copies[0]).toEqual({ path: 'uploads/pit/f00.json', copyPath: 'uploads/pit/f00.sync-conflict-20261201-101500-ABC1234.json' });
    expect(root?.copies[1]).toEqual({ path: null, copyPath: 'uploads/pit/f01.sync-conflict-20261201-101500-ABC1234.json' });
    expect(formatStatus((await statusOf(a)) as never)).toContain('… and 18 more');
  });
});
