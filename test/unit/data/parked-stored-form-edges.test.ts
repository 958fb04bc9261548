import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { syncToQuiescence, tableRows, trackedServers, type TrackedServer } from '../../helpers/data';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE_A = 'ab'.repeat(16);
const SITE_B = 'cd'.repeat(16);
const HLC = 1_839_671_731_407_872;

/** A page from `site` giving birth, at `hlc`, to the row `key` of `t` holding `cells`. */
function birth(schema: unknown, site: string, key: string, cells: Record<string, unknown>, hlc: number): Page {
  return { protocol: 1, site, schema, sites: [site], changes: [{ table: 't', key: [key], cl: 1, hlc, site: 0, cells }] } as unknown as Page;
}

/** A page from `site` deleting, at `hlc`, the row `key` of `t` (its second life ended). */
function death(schema: unknown, site: string, key: string, hlc: number): Page {
  return { protocol: 1, site, schema, sites: [site], changes: [{ table: 't', key: [key], cl: 2, hlc, site: 0 }] } as unknown as Page;
}

/**
 * Three servers with `t (id, <columns>)`, u UNIQUE: the row r2 claims the same `cells` later than r1 does. C holds r2 in its
 * table before it hears of r1 (it parks r2 from the table, byte for byte); A and B park r2 from the pages. r1 is
 * then deleted: r2 comes back everywhere. Every server must park it alike, and hold it back alike, as its column
 * stores `value`.
 */
function parkThenRestore(prelude: string, columns: string, cells: Record<string, unknown>): TrackedServer[] {
  const servers = trackedServers(3, `${prelude} CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, ${columns});`, ['t']);
  const [a, b, c] = servers as [TrackedServer, TrackedServer, TrackedServer];
  const schema = a.tracker.readChanges(0, 1, 'ee'.repeat(16)).schema;
  const first = birth(schema, SITE_A, 'r1', cells, HLC);
  const second = birth(schema, SITE_B, 'r2', cells, HLC + 10);
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
    ["PRAGMA encoding = 'UTF-16le';", 'u INTEGER UNIQUE', { u: '5\u0000\u0100' }, ['5\u0000\u0100']],
    ["PRAGMA encoding = 'UTF-16be';", 'u NUMERIC UNIQUE', { u: ' 7\u0000\u4e00' }, [' 7\u0000\u4e00']],
    // Text whose number is an integral REAL: the column stores an INTEGER (CAST AS NUMERIC keeps a REAL from 2^51 on).
    ['', 'u INTEGER UNIQUE', { u: '1e18' }, [10n ** 18n]],
    ['', 'u NUMERIC UNIQUE', { u: '4503599627370497.5' }, [4503599627370498n]],
    // TEXT that is not UTF-8 ($text) lands in a UTF-16 database as CAST(bytes AS TEXT) does: U+FFFF here, which
    // SQLite turns into U+FFFD when it is bound as a string.
    ["PRAGMA encoding = 'UTF-16le';", 'u INTEGER UNIQUE, w TEXT', { u: 5, w: { $text: Buffer.from([0xff, 0xff]).toString('base64') } }, [5n, '\uffff']],
  ])('%s %s, sent %j', (prelude, columns, cells, stored) => {
    const servers = parkThenRestore(prelude, columns, cells);
    try {
      for (const server of servers) {
        expect(server.tracker.listConflicts()).toEqual([]);
        expect(tableRows(server.temp.db, 't')).toEqual([['r2', ...stored]]);
        const classes = server.temp.db.prepare("SELECT typeof(u) FROM t WHERE id = 'r2'").pluck().get();
        expect(classes).toBe(typeof stored[0] === 'bigint' ? 'integer' : 'text');
      }
    } finally {
      for (const server of servers) server.temp.cleanup();
    }
  });
});
