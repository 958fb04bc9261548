import fc from 'fast-check';
import type Database from 'better-sqlite3';
import { pinWallClock } from '../helpers/clock';
import { pullAll, syncToQuiescence, trackedServers, type TrackedServer } from '../helpers/data';

/*
 * Clocks chosen, not left to the machine: each server writes under a wall millisecond the scenario moves
 * (pinWallClock), so servers write in the same millisecond (clocks that tie, broken by site id: the birth of a
 * row two servers create, a cell both write, the claim on a UNIQUE value both take), one behind another, or
 * level again. On a quiet machine writes of several servers share a millisecond by chance and on a loaded one
 * they rarely do; here both happen on every run. Two to four servers write rows contesting one or two UNIQUE
 * columns (values set, set to NULL, written again under a later clock, rows deleted; the app's own write a
 * UNIQUE refuses is dropped), sync one way with small pages, in pairs or all together, then to quiescence.
 * Every server ends with the same rows, parked rows, birth and cell clocks, and conflicts.
 */

const SCHEMAS = [
  'CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v TEXT, u TEXT UNIQUE);',
  'CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v TEXT UNIQUE, u TEXT UNIQUE);',
];

interface Server extends TrackedServer {
  /** The wall millisecond its writes read, as an offset. */
  ms: number;
}

type Op =
  | { readonly kind: 'put'; readonly s: number; readonly k: string; readonly v: string | null; readonly u: string | null }
  | { readonly kind: 'setU' | 'setV'; readonly s: number; readonly k: string; readonly value: string | null }
  | { readonly kind: 'delete' | 'again'; readonly s: number; readonly k: string }
  | { readonly kind: 'tick'; readonly s: number; readonly by: number }
  | { readonly kind: 'level' | 'all' }
  | { readonly kind: 'pull'; readonly from: number; readonly to: number; readonly limit: number }
  | { readonly kind: 'pair'; readonly a: number; readonly b: number };

const value = fc.constantFrom<string | null>(null, '', 'é', 'a', 'b');
const key = fc.constantFrom('r0', 'r1', 'r2', 'r3');
const server = fc.nat(3);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), s: server, k: key, v: value, u: value }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('setU' as const, 'setV' as const), s: server, k: key, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'again' as const), s: server, k: key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), s: server, by: fc.constantFrom(0, 1, 2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('level' as const, 'all' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pull' as const), from: server, to: server, limit: fc.constantFrom(1, 2, 1000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pair' as const), a: server, b: server }) },
);

/** Runs an app write; one a constraint refuses changes nothing (told by its code: see test/lint/ap1-sqlite-error-by-code). */
function write(db: Database.Database, sql: string, ...params: unknown[]): void {
  try {
    db.prepare(sql).run(...params);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
  }
}

/** Writes the row's u again, the value it holds now under a later clock (through NULL, so the capture sees a change). */
function writeAgain(db: Database.Database, k: string): void {
  const held = db.prepare('SELECT u FROM t WHERE k = ?').pluck().get(k) as string | null | undefined;
  if (held === undefined || held === null) return;
  db.transaction(() => {
    write(db, 'UPDATE t SET u = NULL WHERE k = ?', k);
    write(db, 'UPDATE t SET u = ? WHERE k = ?', held, k);
  })();
}

function run(servers: readonly Server[], op: Op): void {
  const at = (index: number): Server => servers[index % servers.length] as Server;
  const distinct = (a: number, b: number): boolean => a % servers.length !== b % servers.length;
  if (op.kind === 'put') write(at(op.s).temp.db, 'INSERT INTO t VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v, u = excluded.u', op.k, op.v, op.u);
  else if (op.kind === 'setU' || op.kind === 'setV') write(at(op.s).temp.db, `UPDATE t SET ${op.kind === 'setU' ? 'u' : 'v'} = ? WHERE k = ?`, op.value, op.k);
  else if (op.kind === 'delete') write(at(op.s).temp.db, 'DELETE FROM t WHERE k = ?', op.k);
  else if (op.kind === 'again') writeAgain(at(op.s).temp.db, op.k);
  else if (op.kind === 'tick') at(op.s).ms += op.by;
  else if (op.kind === 'level') for (const each of servers) each.ms = Math.max(...servers.map((other) => other.ms));
  else if (op.kind === 'all') syncToQuiescence(servers.map((each) => each.tracker));
  else if (op.kind === 'pull' && distinct(op.from, op.to)) pullAll(at(op.from).tracker, at(op.to).tracker, op.limit);
  else if (op.kind === 'pair' && distinct(op.a, op.b)) syncToQuiescence([at(op.a).tracker, at(op.b).tracker]);
}

/** Rows of the table and of its parked rows, the live rows' births and cell clocks (site ids, not numbers), and the conflicts. */
function state({ temp, tracker }: Server): unknown {
  const rows = (from: string, extra = ''): unknown[] => temp.db.prepare(`SELECT k, quote(v), quote(u)${extra} FROM ${from} ORDER BY k`).raw(true).all();
  const parked = temp.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '\\_sync\\_parked\\_%' ESCAPE '\\' ORDER BY name").pluck().all() as string[];
  const clocks = temp.db
    .prepare(
      `SELECT r.pk, r.cl, r.hlc, s.site, c.name, coalesce(x.hlc, r.hlc), coalesce(xs.site, s.site)
       FROM _sync_rows AS r JOIN _sync_sites AS s ON s.id = r.site JOIN _sync_columns AS c ON c.tbl = r.tbl
       LEFT JOIN _sync_cells AS x ON x.tbl = r.tbl AND x.pk = r.pk AND x.col = c.id LEFT JOIN _sync_sites AS xs ON xs.id = x.site
       WHERE r.cl % 2 = 1 ORDER BY r.pk, c.name`,
    )
    .raw(true)
    .all();
  const conflicts = tracker.listConflicts(undefined, 1000).map(({ at: _at, ...entry }) => entry);
  return { rows: rows('t'), parked: parked.map((name) => rows(`"${name}"`, ', _sync_reason')), clocks, conflicts };
}

describe('convergence under chosen clocks: ties between servers, clocks behind, UNIQUE contests (property)', () => {
  it('every server ends with the same rows, parked rows, clocks and conflicts', () => {
    const base = Date.now();
    fc.assert(
      fc.property(fc.constantFrom(0, 1), fc.integer({ min: 2, max: 4 }), fc.array(opArbitrary, { minLength: 1, maxLength: 25 }), (schema, count, ops) => {
        const servers: Server[] = trackedServers(count, SCHEMAS[schema] ?? '', ['t']).map((tracked) => ({ ...tracked, ms: 0 }));
        for (const each of servers) pinWallClock(each.temp.db, () => base + each.ms);
        try {
          for (const op of ops) run(servers, op);
          syncToQuiescence(servers.map((each) => each.tracker));
          const [first, ...others] = servers as [Server, ...Server[]];
          for (const other of others) expect(state(other)).toEqual(state(first));
        } finally {
          for (const each of servers) each.temp.cleanup();
        }
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });
});
