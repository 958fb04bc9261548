import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { syncToQuiescence, tableRows, trackedServers, type TrackedServer } from '../../helpers/data';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE_A = 'ab'.repeat(16);
const SITE_B = 'cd'.repeat(16);
const HLC = 1_839_671_731_407_872;

/** A page from `site` giving birth, at `hlc`, to the row `key` of `t` holding `u`. */
function birth(schema: unknown, site: string, key: string, u: unknown, hlc: number): Page {
  return { protocol: 1, site, schema, sites: [site], changes: [{ table: 't', key: [key], cl: 1, hlc, site: 0, cells: { u } }] } as unknown as Page;
}

/** A page from `site` deleting, at `hlc`, the row `key` of `t` (its second life ended). */
function death(schema: unknown, site: string, key: string, hlc: number): Page {
  return { protocol: 1, site, schema, sites: [site], changes: [{ table: 't', key: [key], cl: 2, hlc, site: 0 }] } as unknown as Page;
}

/**
 * Three servers with `t (id, u <type> UNIQUE)`: the row r2 claims `value` later than r1 does. C holds r2 in its
 * table before it hears of r1 (it parks r2 from the table, byte for byte); A and B park r2 from the pages. r1 is
 * then deleted: r2 comes back everywhere. Every server must park it alike, and hold it back alike, as its column
 * stores `value`.
 */
function parkThenRestore(prelude: string, type: string, value: unknown): TrackedServer[] {
  const servers = trackedServers(3, `${prelude} CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u ${type} UNIQUE);`, ['t']);
  const [a, b, c] = servers as [TrackedServer, TrackedServer, TrackedServer];
  const schema = a.tracker.readChanges(0, 1, 'ee'.repeat(16)).schema;
  const first = birth(schema, SITE_A, 'r1', value, HLC);
  const second = birth(schema, SITE_B, 'r2', value, HLC + 10);
  c.tracker.applyChangeset(second);
  for (const server of [a, b, c]) server.tracker.applyChangeset(first);
  for (const server of [a, b]) server.tracker.applyChangeset(second);
  syncToQuiescence(servers.map((server) => server.tracker));
  const parked = (server: TrackedServer): unknown[][] => server.tracker.listConflicts().map((conflict) => [conflict.key, conflict.reason, conflict.parked]);
  for (const server of servers) expect(parked(server)).toEqual(parked(c));
  expect(parked(c).map(([key]) => key)).toEqual([['r2']]);
  a.tracker.applyChangeset(death(schema, SITE_A, 'r1', HLC + 20));
  syncToQuiescence(servers.map((server) => server.tracker));
  return servers;
}

describe('a parked row comes back as its column stores its value, on every server alike', () => {
  it.each([
    // A UTF-16 database reads no number from text holding a character beyond U+00FF (a UTF-8 one reads up to the NUL).
    ["PRAGMA encoding = 'UTF-16le';", 'INTEGER', '5\u0000\u0100', '5\u0000\u0100'],
    ["PRAGMA encoding = 'UTF-16be';", 'NUMERIC', ' 7\u0000\u4e00', ' 7\u0000\u4e00'],
    // Text whose number is an integral REAL: the column stores an INTEGER (CAST AS NUMERIC keeps a REAL from 2^51 on).
    ['', 'INTEGER', '1e18', 10n ** 18n],
    ['', 'NUMERIC', '4503599627370497.5', 4503599627370498n],
  ])('%s u %s UNIQUE, sent %j', (prelude, type, value, stored) => {
    const servers = parkThenRestore(prelude, type, value);
    try {
      for (const server of servers) {
        expect(server.tracker.listConflicts()).toEqual([]);
        expect(tableRows(server.temp.db, 't')).toEqual([['r2', stored]]);
        expect(server.temp.db.prepare("SELECT typeof(u) FROM t WHERE id = 'r2'").pluck().get()).toBe(typeof stored === 'bigint' ? 'integer' : 'text');
      }
    } finally {
      for (const server of servers) server.temp.cleanup();
    }
  });
});
