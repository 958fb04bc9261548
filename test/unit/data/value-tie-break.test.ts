import { trackedDbPageSchema, dbDigest, tableRows, tempDb, TEST_SCHEMA, trackedDb, type TempDb } from '../../helpers/data';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { compareValues } from '../../../lib/data/value-order';
import { TextBytes, type SqlValue } from '../../../lib/data/values';

/*
 * Two writers that shared a site id (a copy of a database that kept it) can write two values under one clock
 * (hlc, site). Last-writer-wins alone keeps each server's own value for good; the value order breaks the tie,
 * so every server ends with the greater value whichever page it received first.
 */

type Server = TempDb & { readonly tracker: ChangeTracker };

const SITE = 'ab'.repeat(16);

/** The schema every page names: the one `trackedDb` makes. */
const SCHEMA = trackedDbPageSchema();
const HLC = 1_839_671_731_407_872;

/** A protocol 1 page from {@link SITE} (no window: it moves no cursor) of one `teams` row. */
function page(cells: Record<string, unknown>, change: Record<string, unknown> = {}): Parameters<ChangeTracker['applyChangeset']>[0] {
  return {
    protocol: 1,
    site: SITE,
    schema: SCHEMA,
    sites: [SITE],
    changes: [{ table: 'teams', key: ['t1'], cl: 1, hlc: HLC, site: 0, cells: { name: 'Robots', number: 254, rating: null, logo: null, ...cells }, ...change }],
  } as unknown as Parameters<ChangeTracker['applyChangeset']>[0];
}

function teams(server: Server): unknown[][] {
  return tableRows(server.db, 'teams');
}

/** Applies the two pages in both orders on two empty servers: both end alike, with `expected`'s row. */
function expectBothOrders(first: ReturnType<typeof page>, second: ReturnType<typeof page>, expected: unknown[]): void {
  const [b, c] = [trackedDb(), trackedDb()];
  try {
    b.tracker.applyChangeset(first);
    b.tracker.applyChangeset(second);
    c.tracker.applyChangeset(second);
    c.tracker.applyChangeset(first);
    expect(teams(b)).toEqual([expected]);
    expect(teams(c)).toEqual([expected]);
    const served = (server: Server): unknown => server.tracker.readChanges(0, 10, 'cd'.repeat(16)).changes;
    expect(served(b)).toEqual(served(c));
  } finally {
    b.cleanup();
    c.cleanup();
  }
}

describe('a tie of clocks is broken by the value', () => {
  it('two births under one clock: the greater value on both servers, whatever the order', () => {
    expectBothOrders(page({ name: 'Alpha' }), page({ name: 'Beta' }), ['t1', 'Beta', 254n, null, null]);
  });

  it('two cells under one clock of their own', () => {
    const birth = page({});
    const [b, c] = [trackedDb(), trackedDb()];
    try {
      for (const server of [b, c]) server.tracker.applyChangeset(birth);
      const x = page({ name: ['Xeno', HLC + 5, 0] });
      const y = page({ name: ['Yak', HLC + 5, 0] });
      b.tracker.applyChangeset(x);
      b.tracker.applyChangeset(y);
      c.tracker.applyChangeset(y);
      c.tracker.applyChangeset(x);
      expect(teams(b)).toEqual([['t1', 'Yak', 254n, null, null]]);
      expect(teams(c)).toEqual(teams(b));
    } finally {
      b.cleanup();
      c.cleanup();
    }
  });

  it('by storage class first: a BLOB column keeps the REAL 1.0 over the INTEGER 1, and a blob over text', () => {
    expectBothOrders(page({ logo: 1 }), page({ logo: { $real: 1 } }), ['t1', 'Robots', 254n, null, 1]);
    const both = [page({ logo: 'text' }), page({ logo: { $blob: Buffer.from('b').toString('base64') } })] as const;
    expectBothOrders(both[0], both[1], ['t1', 'Robots', 254n, null, Buffer.from('b')]);
  });

  it('compares the values as the column stores them: a value its affinity converts wins or loses as converted', () => {
    // REAL 3 (sent as the INTEGER 3) beats 2.5; '1' beats 5 (stored as '5') in TEXT; '5' (stored as 5) loses to 7 in INTEGER
    expectBothOrders(page({ rating: { $real: 2.5 } }), page({ rating: 3 }), ['t1', 'Robots', 254n, 3, null]);
    expectBothOrders(page({ name: '1' }), page({ name: 5 }), ['t1', '5', 254n, null, null]);
    expectBothOrders(page({ number: 7 }), page({ number: '5' }), ['t1', 'Robots', 7n, null, null]);
    expectBothOrders(page({ rating: { $real: '-0' } }), page({ rating: { $real: 0 } }), ['t1', 'Robots', 254n, 0, null]);
    expectBothOrders(page({ number: 7 }), page({ number: '5\u0000x' }), ['t1', 'Robots', 7n, null, null]); // SQLite reads '5' up to the NUL: 5
  });

  it('a value that wins the tie but is stored as the value held changes nothing, and is not sent again', () => {
    const b = trackedDb();
    try {
      b.tracker.applyChangeset(page({ number: 5 }));
      const seq = b.tracker.info().seq;
      const before = dbDigest(b.db);
      b.tracker.applyChangeset(page({ number: { $real: 5 } })); // INTEGER affinity stores 5.0 as 5
      expect(b.tracker.info().seq).toBe(seq);
      expect(dbDigest(b.db)).toBe(before);
    } finally {
      b.cleanup();
    }
  });

  it('a page received again changes nothing', () => {
    const b = trackedDb();
    try {
      b.tracker.applyChangeset(page({ name: 'Beta', number: ['7', HLC + 3, 0] }));
      const before = dbDigest(b.db);
      expect(b.tracker.applyChangeset(page({ name: 'Beta', number: ['7', HLC + 3, 0] })).applied).toBe(0);
      expect(b.tracker.applyChangeset(page({ name: 'Alpha' })).applied).toBe(0); // the smaller value loses the tie
      expect(dbDigest(b.db)).toBe(before);
    } finally {
      b.cleanup();
    }
  });
});

describe('a tie on a parked row', () => {
  const change = (table: string, key: string, hlc: number, cells: Record<string, unknown>): Record<string, unknown> => ({ table, key: [key], cl: 1, hlc, site: 0, cells });
  const report = (key: string, hlc: number, score: unknown): Record<string, unknown> => change('reports', key, hlc, { team_id: 't1', match: 'm1', scout: 's', score, notes: null });
  const pageOf = (...changes: Record<string, unknown>[]): ReturnType<typeof page> =>
    ({ protocol: 1, site: SITE, schema: SCHEMA, sites: [SITE], changes }) as unknown as ReturnType<typeof page>;

  // r0 claims the UNIQUE (match, team_id, scout) first, so r1 is parked, holding its values as sent ('5', not 5)
  it.each([
    ['5', 7, 7n],
    [7, '5', 7n],
  ])('compares the parked values as the table stores them (r1 scores %p, then %p under its clock)', (first, second, kept) => {
    const team = pageOf(change('teams', 't1', HLC, { name: 'Robots', number: 254, rating: null, logo: null }));
    const [claim, parked, tie] = [pageOf(report('r0', HLC, 1)), pageOf(report('r1', HLC + 9, first)), pageOf(report('r1', HLC + 9, second))];
    const [b, c] = [trackedDb(), trackedDb()];
    try {
      for (const p of [team, claim, parked, tie]) b.tracker.applyChangeset(p); // r1 parked when the tie comes
      for (const p of [team, parked, tie, claim]) c.tracker.applyChangeset(p); // r1 in the table, parked at the end
      expect(tableRows(c.db, 'reports')).toEqual(tableRows(b.db, 'reports'));
      for (const server of [b, c]) {
        expect(server.tracker.listConflicts().map((conflict) => conflict.parked)).toEqual([{ id: 'r1', team_id: 't1', match: 'm1', scout: 's', score: Number(kept), notes: null }]);
      }
    } finally {
      b.cleanup();
      c.cleanup();
    }
  });
});

describe.each([['UTF-8'], ['UTF-16le']])('a tie of TEXT that is not UTF-8 ($text) in a %s database', (encoding) => {
  const utf16 = (): Server => {
    const temp = tempDb(`PRAGMA encoding = '${encoding}'; ${TEST_SCHEMA}`);
    return { ...temp, tracker: enableCapture(temp.db, { tables: ['teams', 'reports'] }) };
  };
  const bytes = page({ name: { $text: Buffer.from([0xff, 0x35]).toString('base64') } }); // a UTF-16 database reads the bytes as UTF-16

  it('a page received again changes nothing', () => {
    const b = utf16();
    try {
      b.tracker.applyChangeset(bytes);
      const [seq, before] = [b.tracker.info().seq, dbDigest(b.db)];
      expect(b.tracker.applyChangeset(bytes).applied).toBe(0);
      expect([b.tracker.info().seq, dbDigest(b.db)]).toEqual([seq, before]);
    } finally {
      b.cleanup();
    }
  });

  it('two values under one clock: the same on both servers, whatever the order', () => {
    const [b, c] = [utf16(), utf16()];
    try {
      for (const p of [bytes, page({ name: 'Robots' })]) b.tracker.applyChangeset(p);
      for (const p of [page({ name: 'Robots' }), bytes]) c.tracker.applyChangeset(p);
      expect(dbDigest(c.db, true)).toBe(dbDigest(b.db, true));
    } finally {
      b.cleanup();
      c.cleanup();
    }
  });
});

describe('compareValues', () => {
  const ordered: SqlValue[] = [null, -5n, 0n, 7n, -Infinity, -1.5, -0, 0, 0.5, Infinity, '', 'A', 'a', 'é', new TextBytes(Buffer.from([0xff])), Buffer.alloc(0), Buffer.from([0])];

  it('is a total order: each value before every later one, and the same as itself only', () => {
    ordered.forEach((a, i) => {
      ordered.forEach((b, j) => {
        expect([i, j, Math.sign(compareValues(a, b))]).toEqual([i, j, Math.sign(i - j)]);
      });
    });
  });

  it('compares TEXT by its UTF-8 bytes, a string and TextBytes of the same bytes alike', () => {
    expect(compareValues('x', new TextBytes(Buffer.from('x')))).toBe(0);
    expect(compareValues('\uffff', '\u{10000}')).toBeLessThan(0); // UTF-16 code units would say otherwise
  });
});
