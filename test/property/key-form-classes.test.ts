import fc from 'fast-check';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { tempDb, type TempDb } from '../helpers/data';

/**
 * Keys whose storage class SQLite does not fix, written and rewritten in every form by three servers:
 * a key column without affinity (`1` and `1.0`, `0` and `-0.0` and `0.0` name one row), an INTEGER
 * key of a WITHOUT ROWID table (the INTEGER and the REAL -2^63), a composite key with an untyped part,
 * a UNIQUE column and a child pointing at the untyped key. Inserts, class-only key updates (captured as
 * a new life since b7bd18a), REPLACE, IGNORE, FAIL and UPSERT writes of a key that may be held in its other
 * form (a REPLACE that changes the form is a new life since ah1), real key changes, value edits and deletes, with syncs between random pairs
 * in pages of random size; then every server syncs to quiescence. Every server must hold the same rows,
 * keys in the same class with the same sign, the same conflicts, and a full round must move nothing.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT);
CREATE TABLE kids (id TEXT NOT NULL PRIMARY KEY, parent REFERENCES loose (k) ON DELETE CASCADE);
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE pairs (k NOT NULL, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
`;
const TABLES = ['loose', 'kids', 'ints', 'pairs'];
const MIN_INT = -(2n ** 63n);

/** The forms of a few keys, as better-sqlite3 binds them: a BigInt is an INTEGER, a number a REAL. */
const LOOSE_KEYS: readonly (bigint | number)[] = [1n, 1, 0, -0, 2n];
const INT_KEYS: readonly (bigint | number)[] = [MIN_INT, -9223372036854775808, 5n];

type Op =
  | { readonly kind: 'put'; readonly server: number; readonly table: 'loose' | 'ints' | 'pairs'; readonly key: number; readonly text: string }
  | { readonly kind: 'rekey'; readonly server: number; readonly table: 'loose' | 'ints' | 'pairs'; readonly from: number; readonly to: number }
  | { readonly kind: 'edit'; readonly server: number; readonly table: 'loose' | 'ints' | 'pairs'; readonly key: number; readonly text: string }
  | { readonly kind: 'claim'; readonly server: number; readonly key: number; readonly text: string }
  | { readonly kind: 'delete'; readonly server: number; readonly table: 'loose' | 'ints' | 'pairs'; readonly key: number }
  | { readonly kind: 'kid'; readonly server: number; readonly id: string; readonly key: number }
  | { readonly kind: 'replace'; readonly server: number; readonly table: 'loose' | 'ints' | 'pairs'; readonly key: number; readonly text: string; readonly how: number }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number; readonly limit: number };

/**
 * Writes of a key that may be held in another form: `{t}` is the table, `{c}` its columns, `{v}` their
 * placeholders (the key, then the text); the last moves the row at the key `5n` / `2n` onto the key.
 */
const REPLACES = [
  'INSERT OR REPLACE INTO {t} {c} VALUES {v}',
  'INSERT OR IGNORE INTO {t} {c} VALUES {v}',
  'INSERT OR FAIL INTO {t} {c} VALUES {v}',
  'INSERT INTO {t} {c} VALUES {v} ON CONFLICT DO NOTHING',
  'INSERT INTO {t} {c} VALUES {v} ON CONFLICT DO UPDATE SET v = excluded.v',
  'UPDATE OR REPLACE {t} SET k = ?, v = ? WHERE k = {other}',
  'UPDATE OR IGNORE {t} SET k = ?, v = ? WHERE k = {other}',
] as const;

const server = fc.integer({ min: 0, max: 2 });
const table = fc.constantFrom('loose' as const, 'ints' as const, 'pairs' as const);
const keyIndex = fc.integer({ min: 0, max: LOOSE_KEYS.length - 1 });
const text = fc.constantFrom('a', 'b', 'c');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), server, table, key: keyIndex, text }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('rekey' as const), server, table, from: keyIndex, to: keyIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('edit' as const), server, table, key: keyIndex, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('claim' as const), server, key: keyIndex, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), server, table, key: keyIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kid' as const), server, id: fc.constantFrom('k1', 'k2'), key: keyIndex }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), server, table, key: keyIndex, text, how: fc.integer({ min: 0, max: REPLACES.length - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: server, to: server, limit: fc.constantFrom(1, 2, 1000) }) },
);

interface Server {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
}

function keyOf(tableName: 'loose' | 'ints' | 'pairs', index: number): bigint | number {
  const keys = tableName === 'ints' ? INT_KEYS : LOOSE_KEYS;
  return keys[index % keys.length] ?? 0;
}

/** Runs a write; SQLite may refuse it (a UNIQUE or key clash, a missing parent), as an app's write may be refused. */
function write(target: Server, sql: string, ...values: unknown[]): void {
  try {
    target.temp.db.prepare(sql).run(...values);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
  }
}

function apply(servers: readonly Server[], step: Op): void {
  if (step.kind === 'sync') {
    if (step.from !== step.to) pull(servers[step.from] as Server, servers[step.to] as Server, step.limit);
    return;
  }
  const at = servers[step.server] as Server;
  switch (step.kind) {
    case 'put':
      if (step.table === 'pairs') write(at, "INSERT INTO pairs VALUES (?, 'j', ?)", keyOf('pairs', step.key), step.text);
      else if (step.table === 'ints') write(at, 'INSERT INTO ints VALUES (?, ?)', keyOf('ints', step.key), step.text);
      else write(at, 'INSERT INTO loose (k, v) VALUES (?, ?)', keyOf('loose', step.key), step.text);
      return;
    case 'rekey':
      write(at, `UPDATE ${step.table} SET k = ? WHERE k = ?`, keyOf(step.table, step.to), keyOf(step.table, step.from));
      return;
    case 'edit':
      write(at, `UPDATE ${step.table} SET v = ? WHERE k = ?`, step.text, keyOf(step.table, step.key));
      return;
    case 'claim':
      write(at, 'UPDATE loose SET u = ? WHERE k = ?', step.text, keyOf('loose', step.key));
      return;
    case 'delete':
      write(at, `DELETE FROM ${step.table} WHERE k = ?`, keyOf(step.table, step.key));
      return;
    case 'kid':
      write(at, 'INSERT OR REPLACE INTO kids VALUES (?, ?)', step.id, keyOf('loose', step.key));
      return;
    case 'replace': {
      const sql = (REPLACES[step.how] ?? REPLACES[0])
        .replace('{t}', step.table)
        .replace('{c}', step.table === 'pairs' ? '(k, j, v)' : '(k, v)')
        .replace('{v}', step.table === 'pairs' ? "(?, 'j', ?)" : '(?, ?)')
        .replace('{other}', step.table === 'ints' ? '5' : '2');
      write(at, sql, keyOf(step.table, step.key), step.text);
      return;
    }
  }
}

/** Pulls everything `from` has for `to`; returns how many changes moved. */
function pull(from: Server, to: Server, limit: number): number {
  let moved = 0;
  for (;;) {
    const page = from.tracker.readChanges(to.tracker.pullCursor(from.tracker.siteId), limit, to.tracker.siteId);
    moved += page.changes.length;
    to.tracker.applyChangeset(page);
    if (!page.more) return moved;
  }
}

function meshRound(servers: readonly Server[]): number {
  let moved = 0;
  for (const from of servers) for (const to of servers) if (from !== to) moved += pull(from, to, 1000);
  return moved;
}

/** Every row with each key's class, spelling and sign (a REAL zero read as a JavaScript number), and the conflicts. */
function state(target: Server): unknown {
  const read = (sql: string): unknown[] => target.temp.db.prepare(sql).raw(true).safeIntegers(true).all();
  const conflicts = target.tracker
    .listConflicts()
    .map((conflict) => [conflict.table, JSON.stringify(conflict.key), conflict.reason])
    .sort();
  return [
    read('SELECT typeof(k), quote(k), k, u, v FROM loose ORDER BY k'),
    read('SELECT id, typeof(parent), quote(parent), parent FROM kids ORDER BY id'),
    read('SELECT typeof(k), quote(k), v FROM ints ORDER BY k'),
    read('SELECT typeof(k), quote(k), k, j, v FROM pairs ORDER BY k, j'),
    conflicts,
  ];
}

function lives(target: Server): unknown {
  return target.temp.db.prepare('SELECT tbl, quote(pk), cl, hlc FROM _sync_rows ORDER BY tbl, quote(pk)').raw(true).safeIntegers(true).all();
}

describe('keys whose storage class SQLite does not fix, written in every form by three servers', () => {
  it('converge, and go quiet', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (steps) => {
        const servers: Server[] = [0, 1, 2].map(() => {
          const temp = tempDb(SCHEMA);
          return { temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
        });
        try {
          for (const step of steps) apply(servers, step);
          let rounds = 0;
          while (meshRound(servers) > 0) {
            rounds += 1;
            if (rounds > 8) throw new Error('no quiescence after 8 rounds');
          }
          const [first, ...others] = servers as [Server, ...Server[]];
          for (const other of others) expect(state(other)).toEqual(state(first));
          const before = servers.map(lives);
          expect(meshRound(servers)).toBe(0);
          expect(servers.map(lives)).toEqual(before);
        } finally {
          for (const each of servers) each.temp.cleanup();
        }
      }),
      {
        numRuns: Number(process.env.KEY_FORM_RUNS ?? 60),
        seed: process.env.KEY_FORM_SEED === undefined ? undefined : Number(process.env.KEY_FORM_SEED),
        // The writer changes a key's class after its peer has the row (1 to 1.0, 0.0 to -0.0, the INTEGER to the REAL -2^63).
        examples: [
          [
            [
              { kind: 'put', server: 0, table: 'loose', key: 0, text: 'a' },
              { kind: 'put', server: 0, table: 'loose', key: 2, text: 'a' },
              { kind: 'put', server: 0, table: 'ints', key: 0, text: 'a' },
              { kind: 'sync', from: 0, to: 1, limit: 1000 },
              { kind: 'rekey', server: 0, table: 'loose', from: 0, to: 1 },
              { kind: 'rekey', server: 0, table: 'loose', from: 2, to: 3 },
              { kind: 'rekey', server: 0, table: 'ints', from: 0, to: 1 },
            ],
          ],
          // The same by REPLACE: the old row goes with no delete trigger, the insert writes the key in its other form.
          [
            [
              { kind: 'put', server: 0, table: 'loose', key: 0, text: 'a' },
              { kind: 'put', server: 0, table: 'pairs', key: 2, text: 'a' },
              { kind: 'put', server: 0, table: 'ints', key: 0, text: 'a' },
              { kind: 'sync', from: 0, to: 1, limit: 1000 },
              { kind: 'replace', server: 0, table: 'loose', key: 1, text: 'b', how: 0 },
              { kind: 'replace', server: 0, table: 'pairs', key: 3, text: 'b', how: 0 },
              { kind: 'replace', server: 0, table: 'ints', key: 1, text: 'b', how: 0 },
              { kind: 'replace', server: 1, table: 'loose', key: 1, text: 'c', how: 1 },
            ],
          ],
        ],
      },
    );
  });
});
