import fc from 'fast-check';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { SyncError } from '../../lib/sync-error';
import { syncToQuiescence, trackedServers, type TrackedServer } from '../helpers/data';

/*
 * A row parked from a page and the same row parked from a table must be the same row: two rows claim one UNIQUE
 * value, each sent in a form of its own (5, "5", {"$real":5}, " 5", "1e0", $text…), to a column of every affinity,
 * in a UTF-8 and a UTF-16 database, in a table and a STRICT one. One server holds the later row in its table before it hears of the earlier
 * one; the others park it from the pages. Every server must park the same rows with the same bytes, and hold the
 * same table when the earlier row is deleted and the later one comes back.
 */

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITES = ['ab'.repeat(16), 'cd'.repeat(16)];
const HLC = 1_839_671_731_407_872;

const text = (bytes: readonly number[]): unknown => ({ $text: Buffer.from(bytes).toString('base64') });

/** Wire forms of a few values, several of which a column of some affinity stores alike. */
const wireValue = fc.constantFrom<unknown>(
  5, '5', { $real: 5 }, ' 5', '5.0', '1e0', '5\u0000x', 'x', 'X', 0.5, '0.5', { $real: '-0' }, 0, '-0', '1e18', { $int: '1000000000000000000' },
  { $real: 1e18 }, '9007199254740993', { $int: '9007199254740993' }, { $blob: 'NQ==' }, text([0x35, 0xff]), text([0xff, 0xff]), '5\u0000\u0100', null,
);

const TYPES = ['INTEGER', 'REAL', 'NUMERIC', 'TEXT', 'BLOB', '', 'ANY', 'TEXT COLLATE NOCASE'] as const;

/** A STRICT table's spelling of a type: every column declares one of its five. */
const strictType = (type: string): string => (type === '' ? 'ANY' : type === 'NUMERIC' ? 'INTEGER' : type);

/** Each row of `t` as typeof and hex of every column, and the parked rows as the conflicts list shows them. */
function state(server: TrackedServer): unknown {
  const rows = server.temp.db.prepare('SELECT id, typeof(u), hex(u), typeof(w), hex(w) FROM t ORDER BY id').raw(true).all();
  const parked = server.temp.db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '\\_sync\\_parked\\_%' ESCAPE '\\' AND type = 'table'").pluck().get() as string;
  const held = server.temp.db.prepare(`SELECT id, _sync_reason, typeof(u), hex(u), typeof(w), hex(w) FROM "${parked}" ORDER BY id`).raw(true).all();
  return { rows, held };
}

describe('parked rows hold what the table would, whatever form a page sent (property)', () => {
  it('three servers, one parking from its table and two from pages, end alike', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.constantFrom(...TYPES), fc.constantFrom('UTF-8', 'UTF-16le'), fc.boolean(), wireValue, wireValue, wireValue, (uType, wType, encoding, strict, u1, u2, w) => {
        const [u, v] = strict ? [strictType(uType), strictType(wType)] : [uType, wType];
        const schema = `PRAGMA encoding = '${encoding}'; CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u ${u} UNIQUE, w ${v})${strict ? ' STRICT' : ''};`;
        const servers = trackedServers(3, schema, ['t']);
        try {
          const [a, b, c] = servers as [TrackedServer, TrackedServer, TrackedServer];
          const pageSchema = a.tracker.readChanges(0, 1, 'ee'.repeat(16)).schema;
          const page = (site: number, key: string, change: Record<string, unknown>): Page =>
            ({ protocol: 1, site: SITES[site], schema: pageSchema, sites: [SITES[site]], changes: [{ table: 't', key: [key], site: 0, ...change }] }) as unknown as Page;
          const first = page(0, 'r1', { cl: 1, hlc: HLC, cells: { u: u1, w } });
          const second = page(1, 'r2', { cl: 1, hlc: HLC + 10, cells: { u: u2, w } });
          try {
            c.tracker.applyChangeset(second);
            for (const server of [a, b, c]) server.tracker.applyChangeset(first);
            for (const server of [a, b]) server.tracker.applyChangeset(second);
          } catch (error) {
            if (error instanceof SyncError && error.code === 'INVALID_VALUE') return; // a value a key or STRICT column refuses
            throw error;
          }
          const trackers = servers.map((server) => server.tracker);
          syncToQuiescence(trackers);
          for (const server of [a, b]) expect(state(server)).toEqual(state(c));
          a.tracker.applyChangeset(page(0, 'r1', { cl: 2, hlc: HLC + 20 }));
          syncToQuiescence(trackers);
          for (const server of [a, b]) expect(state(server)).toEqual(state(c));
        } finally {
          for (const server of servers) server.temp.cleanup();
        }
      }),
      { numRuns: 150, seed: 20261206 },
    );
  });
});
