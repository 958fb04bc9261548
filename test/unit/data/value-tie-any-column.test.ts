import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { dbDigest, tableRows, tempDb } from '../../helpers/data';

/*
 * A column declared ANY keeps every value as it is in a STRICT table only; in another it has NUMERIC
 * affinity and stores '5' as 5. Two values under one clock are compared as the column stores them
 * (see cell-contest.ts), so the tie-break must know which: taken as kept, '5' beat 7 as TEXT and was
 * then stored as the 5 that 7 beats, and the servers ended apart, whichever page came first.
 */

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE = 'ab'.repeat(16);
const HLC = 1_839_671_731_407_872;

function server(strict: boolean): ReturnType<typeof tempDb> & { readonly tracker: ChangeTracker } {
  const temp = tempDb(`CREATE TABLE bag (id TEXT PRIMARY KEY NOT NULL, x ANY)${strict ? ' STRICT' : ''};`);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['bag'] }) };
}

describe.each([[false], [true]])('a tie in a column declared ANY (STRICT table: %p)', (strict) => {
  it('ends alike whichever value came first, and a page received again changes nothing', () => {
    const [b, c] = [server(strict), server(strict)];
    try {
      const schema = b.tracker.readChanges(0, 1, SITE).schema;
      const page = (x: unknown): Page => ({ protocol: 1, site: SITE, schema, sites: [SITE], changes: [{ table: 'bag', key: ['k'], cl: 1, hlc: HLC, site: 0, cells: { x } }] }) as unknown as Page;
      for (const x of ['5', 7]) b.tracker.applyChangeset(page(x));
      for (const x of [7, '5']) c.tracker.applyChangeset(page(x));
      expect(tableRows(b.db, 'bag')).toEqual([['k', strict ? '5' : 7n]]);
      expect(tableRows(c.db, 'bag')).toEqual(tableRows(b.db, 'bag'));
      const before = dbDigest(b.db);
      for (const x of ['5', 7]) b.tracker.applyChangeset(page(x));
      expect(dbDigest(b.db)).toBe(before);
    } finally {
      b.cleanup();
      c.cleanup();
    }
  });
});
