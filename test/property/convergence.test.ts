import fc from 'fast-check';
import { enableCapture } from '../../lib/data/capture';
import { dbDigest, tempDb, type TempDb } from '../helpers/data';
import { opArbitrary, PROPERTY_SCHEMA, PROPERTY_TABLES, runOp, snapshot, syncEverything, type Peer } from '../helpers/random-ops';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);

function openPeers(count: number): { peers: Peer[]; cleanup(): void } {
  const temps: TempDb[] = [];
  const peers = Array.from({ length: count }, () => {
    const temp = tempDb(PROPERTY_SCHEMA);
    temp.db.pragma('synchronous = OFF');
    temps.push(temp);
    return { db: temp.db, tracker: enableCapture(temp.db, { tables: Object.keys(PROPERTY_TABLES) }) };
  });
  return { peers, cleanup: () => temps.forEach((temp) => temp.cleanup()) };
}

describe('convergence (cr-sqlite style)', () => {
  it(`every database ends with the same rows, whatever the partial syncs (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.array(opArbitrary, { minLength: 1, maxLength: 40 }), (count, ops) => {
        const { peers, cleanup } = openPeers(count);
        try {
          for (const op of ops) runOp(peers, op);
          syncEverything(peers);
          const first = snapshot(peers[0]!);
          for (const peer of peers.slice(1)) expect(snapshot(peer)).toEqual(first);
          for (const peer of peers) expect(peer.tracker.listConflicts()).toEqual([]);
        } finally {
          cleanup();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('applying a changeset twice equals applying it once (every table, metadata included)', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (ops, limit) => {
        const { peers, cleanup } = openPeers(3);
        try {
          for (const op of ops) runOp(peers, op);
          const [source, target] = [peers[0]!, peers[1]!];
          for (let since = 0, more = true; more; ) {
            const page = source.tracker.readChanges(since, limit);
            target.tracker.applyChangeset(page);
            const once = dbDigest(target.db);
            target.tracker.applyChangeset(page);
            expect(dbDigest(target.db)).toBe(once);
            ({ next: since, more } = { next: page.next ?? 0, more: page.more ?? false });
          }
        } finally {
          cleanup();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('applying A then B equals applying B then A', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { minLength: 1, maxLength: 30 }), (ops) => {
        const { peers, cleanup } = openPeers(4);
        try {
          for (const op of ops) runOp(peers.slice(0, 2), op);
          const [a, b, one, two] = peers as [Peer, Peer, Peer, Peer];
          const fromA = a.tracker.readChanges(0, 10_000);
          const fromB = b.tracker.readChanges(0, 10_000);
          one.tracker.applyChangeset(fromA);
          one.tracker.applyChangeset(fromB);
          two.tracker.applyChangeset(fromB);
          two.tracker.applyChangeset(fromA);
          expect(snapshot(two)).toEqual(snapshot(one));
          expect(dbDigest(two.db, true)).toBe(dbDigest(one.db, true));
        } finally {
          cleanup();
        }
      }),
      { numRuns: 100 },
    );
  });
});
