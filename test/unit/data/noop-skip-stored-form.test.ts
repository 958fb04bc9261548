import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { tableRows, trackedServers, type TrackedServer } from '../../helpers/data';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE = 'ab'.repeat(16);
const HLC = 1_839_671_731_407_872;

/*
 * A trigger that skips writes changing nothing (`WHEN NEW.n = OLD.n … RAISE(IGNORE)`) skips a merge's write of
 * text whose number the row holds already. The merge tells such a skip from a lost write by the value the column
 * would store: '1e18' in an INTEGER column is the INTEGER 10^18, which StoredForms took for the REAL 1e18 (CAST AS
 * NUMERIC keeps a REAL from 2^51 on), so the page was refused with APPLY_REFUSED, for good.
 */
const SCHEMA = `
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, n INTEGER);
CREATE TRIGGER item_same BEFORE UPDATE ON item WHEN NEW.n = OLD.n BEGIN SELECT RAISE(IGNORE); END;
`;

describe('a skipped write of text whose number the row holds', () => {
  it.each([['1e18', 10n ** 18n], ['4503599627370497.5', 4503599627370498n]])('%s is applied, not refused', (sent, held) => {
    const [server] = trackedServers(1, SCHEMA, ['item']) as [TrackedServer];
    try {
      const schema = server.tracker.readChanges(0, 1, 'ee'.repeat(16)).schema;
      const page = (change: Record<string, unknown>): Page => ({ protocol: 1, site: SITE, schema, sites: [SITE], changes: [{ table: 'item', key: ['i1'], cl: 1, hlc: HLC, site: 0, ...change }] }) as unknown as Page;
      server.tracker.applyChangeset(page({ cells: { n: { $int: String(held) } } }));
      server.tracker.applyChangeset(page({ cells: { n: [sent, HLC + 10, 0] } }));
      expect(tableRows(server.temp.db, 'item')).toEqual([['i1', held]]);
    } finally {
      server.temp.cleanup();
    }
  });
});
