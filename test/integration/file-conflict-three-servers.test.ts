import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { conflictCopyPath } from '../../lib/peers/file-sync-plan';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';

const pit = (peer: LivePeer): string => path.join(peer.dataDir, 'uploads', 'pit');

/** The clashed file and its conflict copies on one server, name → content. */
function clashFiles(peer: LivePeer): Record<string, string> {
  const names = readdirSync(pit(peer)).filter((name) => name.startsWith('t1.')).sort();
  return Object.fromEntries(names.map((name) => [name, readFileSync(path.join(pit(peer), name), 'utf8')]));
}

/** The new conflict copies the syncs of a test reported. */
let reported: string[] = [];

/** One file sync of `from` with `to`, started by `from`; it must succeed. */
async function syncPair(from: LivePeer, to: LivePeer): Promise<void> {
  const result = await from.sync.client?.syncPeer(to.syncUrl);
  expect(result).toMatchObject({ ok: true, fileErrors: [] });
  reported.push(...(result?.fileConflicts ?? []).map((conflict) => conflict.copyPath));
}

/** Full rounds (each server syncs with all its peers) until one moves no file; at most 6. */
async function untilQuiet(peers: readonly LivePeer[]): Promise<void> {
  for (let round = 0; round < 6; round += 1) {
    let moved = 0;
    for (const peer of peers) {
      for (const result of await peer.sync.syncNow()) {
        expect(result).toMatchObject({ ok: true, fileErrors: [] });
        moved += result.filesUp + result.filesDown + result.filesDeleted + result.fileConflicts.length;
        reported.push(...result.fileConflicts.map((conflict) => conflict.copyPath));
      }
    }
    if (moved === 0) return;
  }
  throw new Error('the servers still move files after 6 full rounds');
}

type Order = (a: LivePeer, b: LivePeer, c: LivePeer) => Promise<void>;

describe('one two-way file conflict among three servers', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let a: LivePeer;
  let b: LivePeer;
  let c: LivePeer;

  beforeEach(async () => {
    reported = [];
    cluster = await startPeers(3, 'mesh');
    [a, b, c] = cluster.peers as [LivePeer, LivePeer, LivePeer];
  });
  afterEach(async () => {
    await cluster.close();
  });

  it.each<[string, Order]>([
    ['B→C, A→B, A→C (the copy of B’s version is already on A)', async (a, b, c) => {
      await syncPair(b, c);
      await syncPair(a, b);
      await syncPair(a, c);
    }],
    ['B→C, A→B, C→A (C’s version is already a conflict copy on A)', async (a, b, c) => {
      await syncPair(b, c);
      await syncPair(a, b);
      await syncPair(c, a);
    }],
    ['B→C, then A with B and C at once', async (a, b, c) => {
      await syncPair(b, c);
      await Promise.all([syncPair(a, b), syncPair(a, c)]);
    }],
    ['A→C, B→C, C→A, C→B (C meets both versions)', async (a, b, c) => {
      await syncPair(a, c);
      await syncPair(b, c);
      await syncPair(c, a);
      await syncPair(c, b);
    }],
  ])('%s: ends with the winner at the path and one copy of the other version, the same on every server', async (_order, order) => {
    put(pit(a), 't1.jpg', 'photo q1 from A');
    put(pit(b), 't1.jpg', 'photo q2 from B');
    await order(a, b, c);
    await untilQuiet([a, b, c]);

    const onA = clashFiles(a);
    expect(clashFiles(b)).toEqual(onA);
    expect(clashFiles(c)).toEqual(onA);
    const kept = onA['t1.jpg'];
    const copies = Object.entries(onA).filter(([name]) => name !== 't1.jpg');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.[0]).toMatch(/^t1\.sync-conflict-\d{8}-\d{6}-[0-9A-Z]{1,7}\.jpg$/);
    expect(new Set([kept, copies[0]?.[1]])).toEqual(new Set(['photo q1 from A', 'photo q2 from B']));
    expect(reported).toEqual([`uploads/pit/${copies[0]?.[0] ?? ''}`]);
  });

  it('ends what syncs meeting the clash at the same moment leave: copies of the kept file and twice-copied versions are deleted everywhere', async () => {
    const when = new Date(Date.UTC(2026, 10, 26, 10, 0, 0));
    const copy = (site: string): string => conflictCopyPath('t1.jpg', when, site);
    for (const peer of [a, b, c]) {
      put(pit(peer), 't1.jpg', 'photo q2 from B');
      put(pit(peer), copy('aaaaaaa'), 'photo q1 from A');
      put(pit(peer), copy('bbbbbbb'), 'photo q2 from B'); // the kept file's own bytes
      put(pit(peer), copy('ccccccc'), 'photo q1 from A'); // a second copy of q1
      put(pit(peer), copy('ddddddd'), 'photo q3, only here'); // bytes nowhere else: kept
    }
    put(pit(c), copy('eeeeeee'), 'photo q2 from B'); // on C only at first
    await untilQuiet([a, b, c]);
    for (const peer of [a, b, c]) {
      expect(clashFiles(peer)).toEqual({ 't1.jpg': 'photo q2 from B', [copy('aaaaaaa')]: 'photo q1 from A', [copy('ddddddd')]: 'photo q3, only here' });
    }
    expect(reported).toEqual([]);
  });
});
