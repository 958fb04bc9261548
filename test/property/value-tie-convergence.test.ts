import fc from 'fast-check';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { trackedDbPageSchema, tableRows, trackedDb } from '../helpers/data';

/*
 * The merge rule is a total order even where clocks tie: pages of one row written by writers that shared
 * site ids (clones), under a few clocks and a few values of every storage class, reach two servers in two
 * orders, some twice; both end with the same row and serve the same changes.
 */

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITES = ['ab'.repeat(16), 'cd'.repeat(16)];
const HLC = 1_839_671_731_407_872;

/** The schema every page names: the one `trackedDb` makes. */
const SCHEMA = trackedDbPageSchema();

/** A `logo` value (a BLOB column: no affinity, every class kept) or a `name` (TEXT). */
const logoValue = fc.constantFrom<unknown>(null, 1, { $real: 1 }, { $real: '-0' }, 0.5, 'a', 'b', { $blob: 'YQ==' });
const nameValue = fc.constantFrom('Alpha', 'Beta', 'beta', 'é');

interface Write {
  readonly birth: boolean;
  readonly name: string;
  readonly logo: unknown;
  readonly hlc: number;
  readonly site: number;
}

const writeArbitrary: fc.Arbitrary<Write> = fc.record({
  birth: fc.boolean(),
  name: nameValue,
  logo: logoValue,
  hlc: fc.integer({ min: 1, max: 3 }),
  site: fc.integer({ min: 0, max: 1 }),
});

/** A birth under one fixed clock of a site, or both cells written under a later clock of their own. */
function pageOf(write: Write): Page {
  const site = SITES[write.site] ?? '';
  const cells = write.birth
    ? { name: write.name, number: 1, rating: null, logo: write.logo }
    : { name: [write.name, HLC + write.hlc, 0], number: 1, rating: null, logo: [write.logo, HLC + write.hlc, 0] };
  return { protocol: 1, site, schema: SCHEMA, sites: [site], changes: [{ table: 'teams', key: ['t1'], cl: 1, hlc: HLC, site: 0, cells }] } as unknown as Page;
}

/** The writes, each with the position it takes in the second server's order. */
const caseArbitrary = fc.array(fc.tuple(writeArbitrary, fc.nat(), fc.boolean()), { minLength: 1, maxLength: 8 });

describe('value tie-break: convergence whatever the order (property)', () => {
  it('two servers receiving the same pages in two orders, some twice, hold the same row and serve the same changes', () => {
    fc.assert(
      fc.property(caseArbitrary, (writes) => {
        const [b, c] = [trackedDb(), trackedDb()];
        try {
          const pages = writes.map(([write]) => pageOf(write));
          for (const page of pages) b.tracker.applyChangeset(page);
          const shuffled = writes.map(([, rank, twice], i) => ({ page: pages[i] as Page, rank, twice })).sort((x, y) => x.rank - y.rank);
          for (const { page, twice } of shuffled) {
            c.tracker.applyChangeset(page);
            if (twice) c.tracker.applyChangeset(page);
          }
          expect(tableRows(c.db, 'teams')).toEqual(tableRows(b.db, 'teams'));
          const served = (tracker: ChangeTracker): unknown => tracker.readChanges(0, 10, 'ef'.repeat(16)).changes;
          expect(served(c.tracker)).toEqual(served(b.tracker));
        } finally {
          b.cleanup();
          c.cleanup();
        }
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });
});
