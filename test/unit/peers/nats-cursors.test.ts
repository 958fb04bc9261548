import { NatsCursors } from '../../../lib/peers/nats/nats-cursors';
import type { StreamFacts } from '../../../lib/peers/nats/nats-link';
import { trackedDb, type TempDb } from '../../helpers/data';
import type { ChangeTracker } from '../../../lib/data/change-tracker';

const SITE = '0123456789abcdef0123456789abcdef';
const facts = (firstSeq: number, lastSeq: number): StreamFacts => ({ created: '2026-12-01T00:00:00Z', firstSeq, lastSeq });

describe('NatsCursors: the applied position and the message id kept with it', () => {
  let db: TempDb & { readonly tracker: ChangeTracker };
  let cursors: NatsCursors;

  beforeEach(() => {
    db = trackedDb();
    cursors = new NatsCursors(db.tracker, 'S', SITE);
    cursors.reconcile(facts(1, 0)); // first use: the creation time is saved
  });
  afterEach(() => db.cleanup());

  it('reads a cursor saved before ids were kept (a bare sequence) as that sequence, with no id and no check', async () => {
    db.tracker.saveTransportCursor(cursors.applied, '7');
    expect(cursors.appliedSeq()).toBe(7);
    expect(cursors.appliedId()).toBeUndefined();
    const asked: number[] = [];
    const change = await cursors.reconcileWith({ messageIdAt: (seq) => (asked.push(seq), Promise.resolve('other')) }, facts(1, 20));
    expect(change).toBe('same');
    expect(asked).toEqual([]);
  });

  it('keeps the id with the sequence, and a message id with spaces whole', () => {
    cursors.saveApplied(9, `${SITE}:1-4`);
    expect([cursors.appliedSeq(), cursors.appliedId()]).toEqual([9, `${SITE}:1-4`]);
    cursors.saveApplied(10, 'a b  c');
    expect([cursors.appliedSeq(), cursors.appliedId()]).toEqual([10, 'a b  c']);
    cursors.saveApplied(11, 'x'.repeat(300)); // too long to keep: the sequence alone
    expect([cursors.appliedSeq(), cursors.appliedId()]).toEqual([11, undefined]);
  });

  it('is the same stream when the message at the applied sequence is the one applied', async () => {
    cursors.saveApplied(9, 'id-9');
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.resolve('id-9') }, facts(1, 30))).toBe('same');
    expect(cursors.appliedSeq()).toBe(9);
  });

  it('reads the stream again from its first message when another message stands at the applied sequence (a store put back and filled again)', async () => {
    cursors.saveApplied(9, 'id-9');
    const epoch = cursors.epoch;
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.resolve('someone else') }, facts(4, 30))).toBe('refilled');
    expect(cursors.appliedSeq()).toBe(3);
    expect(cursors.epoch).toBe(epoch + 1);
    cursors.saveApplied(9, 'id-9');
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.resolve(undefined) }, facts(1, 30))).toBe('refilled'); // a message with no id
    expect(cursors.appliedSeq()).toBe(0);
  });

  it('cannot tell, and goes on, when the stream no longer holds the applied sequence (purged or aged out)', async () => {
    cursors.saveApplied(9, 'id-9');
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.resolve(null) }, facts(1, 30))).toBe('same');
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.reject(new Error('not asked')) }, facts(12, 30))).toBe('same');
    expect(cursors.appliedSeq()).toBe(9);
  });

  it('reads a stream that lost its tail again from its start (it may have been filled again part of the way, at sequences applied here)', async () => {
    cursors.saveApplied(9, 'id-9');
    expect(await cursors.reconcileWith({ messageIdAt: () => Promise.reject(new Error('not asked')) }, facts(1, 5))).toBe('rewound');
    expect(cursors.appliedSeq()).toBe(0);
    cursors.saveApplied(9, 'id-9');
    expect(cursors.reconcile(facts(3, 5))).toBe('rewound');
    expect(cursors.appliedSeq()).toBe(2);
  });
});
