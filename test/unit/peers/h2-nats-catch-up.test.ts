import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { NatsCatchUp } from '../../../lib/peers/nats/nats-catch-up';
import { NatsCursors } from '../../../lib/peers/nats/nats-cursors';
import type { StreamFacts } from '../../../lib/peers/nats/nats-link';
import { StreamCoverageBook, type CatchUpOutcome, type StreamCoverage } from '../../../lib/peers/nats/stream-coverage';
import { trackedDb, type TempDb } from '../../helpers/data';

const SITE = '0123456789abcdef0123456789abcdef';
const CREATED = '2026-12-01T00:00:00Z';
const facts = (firstSeq: number, lastSeq: number, created = CREATED): StreamFacts => ({ created, firstSeq, lastSeq });

describe('NatsCatchUp: a catch-up over HTTP after the stream lost messages counts only when a peer holds them', () => {
  let db: TempDb & { readonly tracker: ChangeTracker };
  let cursors: NatsCursors;
  let book: StreamCoverageBook;
  let answers: CatchUpOutcome[];
  const told: Array<{ code: string; from: number; to: number }> = [];

  function catchUp(): NatsCatchUp {
    return new NatsCatchUp(() => Promise.resolve(answers.shift() ?? { ok: false, coverage: [] }), { stream: 'S', book, incomplete: (error, { from, to }) => told.push({ code: error.code, from, to }) });
  }
  const holding = (seq: number, created = CREATED): StreamCoverage => ({ stream: 'S', created, seq });

  beforeEach(() => {
    db = trackedDb();
    cursors = new NatsCursors(db.tracker, 'S', SITE);
    cursors.reconcile(facts(1, 0));
    book = new StreamCoverageBook(db.tracker, 'S', cursors);
    told.length = 0;
  });
  afterEach(() => db.cleanup());

  it('a peer that answered nothing of the stream: incomplete, kept, told; a later catch-up from a peer holding it that far lets it go', async () => {
    answers = [{ ok: true, coverage: [] }];
    const run = catchUp();
    expect(await run.runForGap('lost 3-7', { from: 3, to: 7 })).toBe('incomplete'); // the stream is read on
    expect(run.last).toMatchObject({ ok: false });
    expect(told).toEqual([{ code: 'CATCH_UP_INCOMPLETE', from: 3, to: 7 }]);
    expect(book.uncovered()).toEqual({ from: 3, to: 7 });
    cursors.saveApplied(20);
    expect(book.coverage()).toEqual(holding(2)); // it answers only what it holds whole

    answers = [{ ok: true, coverage: [holding(6)] }]; // not far enough
    expect(await run.recheck()).toEqual({ from: 3, to: 7 });
    answers = [{ ok: true, coverage: [holding(9, 'another stream made since')] }]; // another stream of that name
    expect(await run.recheck()).toEqual({ from: 3, to: 7 });
    answers = [{ ok: true, coverage: [holding(9)] }];
    expect(await run.recheck()).toBeUndefined();
    expect(book.uncovered()).toBeUndefined();
    expect(book.coverage()).toEqual(holding(20));
    expect(run.last).toMatchObject({ ok: true });
  });

  it('a peer holding the stream past the gap: complete, nothing kept; no peer round that succeeded: not caught up (STREAM_GAP is the caller\'s)', async () => {
    answers = [{ ok: true, coverage: [holding(10)] }, { ok: false, coverage: [holding(10)] }];
    const run = catchUp();
    expect(await run.runForGap('lost 3-7', { from: 3, to: 7 })).toBe('complete');
    expect(run.last).toMatchObject({ ok: true });
    expect(await run.runForGap('lost 12-14', { from: 12, to: 14 })).toBe('failed');
    expect(book.uncovered()).toBeUndefined();
    expect(told).toEqual([]);
  });

  it('never answers more than it applied: a stream read again from its start (its tail lost) while a range is missing', () => {
    cursors.saveApplied(20);
    book.note({ from: 12, to: 14 });
    expect(book.coverage()).toEqual(holding(11));
    expect(cursors.reconcile(facts(1, 5))).toBe('rewound'); // read again from the start
    expect(book.coverage()).toEqual(holding(0));
  });

  it('a stream made again lets go of what the old one lost', () => {
    book.note({ from: 3, to: 7 });
    expect(cursors.reconcile(facts(1, 0, '2026-12-02T00:00:00Z'))).toBe('recreated');
    expect(book.uncovered()).toBeUndefined();
  });
});
