import fc from 'fast-check';
import type Database from 'better-sqlite3';
import { anyValue, bindValue, blobValue, textValue, type ScenarioValue } from './values';

/** Writes an application makes; `pick` chooses among the rows that exist when the write runs. */
export type WriteOp =
  | { readonly kind: 'itemPut'; readonly key: number; readonly values: readonly ScenarioValue[] }
  | { readonly kind: 'itemSet'; readonly pick: number; readonly column: number; readonly value: ScenarioValue }
  | { readonly kind: 'parentPut' | 'parentReplace'; readonly key: number; readonly number: number | null; readonly name: string }
  | { readonly kind: 'parentNumber'; readonly pick: number; readonly number: number | null; readonly replace: boolean }
  | { readonly kind: 'parentSwap'; readonly pick: number; readonly other: number }
  | { readonly kind: 'childPut'; readonly key: number; readonly parent: number | null; readonly x: number; readonly y: number }
  | { readonly kind: 'childSet'; readonly pick: number; readonly parent: number | null; readonly x: number | null; readonly y: number | null }
  | { readonly kind: 'pairPut' | 'pairReplace'; readonly k1: string; readonly k2: bigint; readonly v: string | null; readonly w: Buffer | null }
  | { readonly kind: 'pairSet'; readonly pick: number; readonly v: string | null; readonly w: Buffer | null }
  | { readonly kind: 'delete' | 'rekey'; readonly table: 'items' | 'parents' | 'children' | 'pairs'; readonly pick: number; readonly key: number };

const small = fc.nat(3);
const pick = fc.nat(20);
const smallNumber = fc.option(fc.integer({ min: 0, max: 2 }), { freq: 5 });
const name = fc.oneof(textValue, fc.constantFrom('a-very-long-name'));
const pairText = fc.option(fc.constantFrom('u', 'v', 'w'), { freq: 4 });
const pairBlob = fc.option(fc.constantFrom(Buffer.from([1]), Buffer.from([2])), { freq: 4 });

/** An arbitrary application write. */
export const writeOpArbitrary: fc.Arbitrary<WriteOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('itemPut' as const), key: small, values: fc.tuple(anyValue, anyValue, anyValue, anyValue, fc.oneof(anyValue, blobValue)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('itemSet' as const), pick, column: fc.nat(4), value: anyValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('parentPut' as const, 'parentReplace' as const), key: small, number: smallNumber, name }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('parentNumber' as const), pick, number: smallNumber, replace: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('parentSwap' as const), pick, other: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('childPut' as const), key: small, parent: fc.option(pick, { freq: 5 }), x: fc.integer({ min: 0, max: 2 }), y: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('childSet' as const), pick, parent: fc.option(pick, { freq: 3 }), x: fc.option(fc.integer({ min: 0, max: 2 })), y: fc.option(fc.integer({ min: 0, max: 2 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('pairPut' as const, 'pairReplace' as const), k1: fc.constantFrom('a', "c'd", 'é'), k2: fc.bigInt({ min: 0n, max: 2n }), v: pairText, w: pairBlob }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pairSet' as const), pick, v: pairText, w: pairBlob }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'rekey' as const), table: fc.constantFrom('items' as const, 'parents' as const, 'children' as const, 'pairs' as const), pick, key: small }) },
);

const KEY_ORDER: Readonly<Record<string, string>> = { items: 'id', parents: 'id', children: 'id', pairs: 'k1, k2' };

function keysOf(db: Database.Database, table: string): unknown[][] {
  return db.prepare(`SELECT ${KEY_ORDER[table] ?? 'id'} FROM ${table} ORDER BY ${KEY_ORDER[table] ?? 'id'}`).raw(true).safeIntegers(true).all() as unknown[][];
}

function nth<T>(list: readonly T[], index: number): T | undefined {
  return list.length === 0 ? undefined : list[index % list.length];
}

/** Runs one statement; a constraint failure is what an application would see, and changes nothing. */
function run(db: Database.Database, sql: string, ...params: unknown[]): void {
  try {
    db.prepare(sql).run(...params);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
  }
}

function runItem(db: Database.Database, op: WriteOp): void {
  if (op.kind === 'itemPut') {
    const bound = op.values.map(bindValue);
    run(db, `INSERT OR REPLACE INTO items VALUES (?, ${bound.map(([sql]) => sql).join(', ')})`, `i${op.key}`, ...bound.map(([, param]) => param));
  } else if (op.kind === 'itemSet') {
    const id = nth(keysOf(db, 'items'), op.pick)?.[0];
    const [sql, param] = bindValue(op.value);
    const column = ['a', 'b', 'c', 'd', 'e'][op.column] ?? 'a';
    if (id === undefined) return;
    const before = realZero(db, column, id);
    run(db, `UPDATE items SET ${column} = ${sql} WHERE id = ?`, param, id);
    const after = realZero(db, column, id);
    // An UPDATE changing only the sign of a REAL zero is not captured (docs/PROTOCOL.md: no trigger can see
    // the sign without atan2, which not every SQLite build has): the scenario does not write one.
    if (before !== undefined && after !== undefined && before !== after) run(db, `UPDATE items SET ${column} = ? WHERE id = ?`, before === '-0' ? -0 : 0, id);
  }
}

/** `'-0'` or `'0'` when the cell holds a REAL zero, else undefined. */
function realZero(db: Database.Database, column: string, id: unknown): '-0' | '0' | undefined {
  const row = db.prepare(`SELECT typeof(${column}) = 'real' AND ${column} = 0, ${column} FROM items WHERE id = ?`).raw(true).get(id) as [number, unknown] | undefined;
  if (row === undefined || row[0] !== 1) return undefined;
  return Object.is(row[1], -0) ? '-0' : '0';
}

function runParent(db: Database.Database, op: WriteOp): void {
  const ids = keysOf(db, 'parents').map((row) => row[0]);
  if (op.kind === 'parentPut') {
    run(db, 'INSERT INTO parents VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, name = excluded.name', `p${op.key}`, op.number, op.name);
  } else if (op.kind === 'parentReplace') {
    run(db, 'INSERT OR REPLACE INTO parents VALUES (?, ?, ?)', `p${op.key}`, op.number, op.name);
  } else if (op.kind === 'parentNumber') {
    const id = nth(ids, op.pick);
    if (id !== undefined) run(db, `UPDATE ${op.replace ? 'OR REPLACE ' : ''}parents SET number = ? WHERE id = ?`, op.number, id);
  } else if (op.kind === 'parentSwap') {
    // A swap of two UNIQUE values through NULL, in one transaction: consistent at the end, not in between.
    const [a, b] = [nth(ids, op.pick), nth(ids, op.other)];
    if (a === undefined || b === undefined || a === b) return;
    const numberOf = db.prepare('SELECT number FROM parents WHERE id = ?').pluck().safeIntegers(true);
    const [na, nb] = [numberOf.get(a), numberOf.get(b)];
    run(db, 'SAVEPOINT swap');
    run(db, 'UPDATE parents SET number = NULL WHERE id = ?', a);
    run(db, 'UPDATE parents SET number = ? WHERE id = ?', na, b);
    run(db, 'UPDATE parents SET number = ? WHERE id = ?', nb, a);
    run(db, 'RELEASE swap');
  }
}

function runChild(db: Database.Database, op: WriteOp): void {
  const parents = keysOf(db, 'parents').map((row) => row[0]);
  const parentOf = (index: number | null): unknown => (index === null ? null : (nth(parents, index) ?? null));
  if (op.kind === 'childPut') {
    run(db, 'INSERT INTO children VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET x = excluded.x, y = excluded.y', `c${op.key}`, parentOf(op.parent), op.x, op.y);
  } else if (op.kind === 'childSet') {
    const id = nth(keysOf(db, 'children'), op.pick)?.[0];
    if (id === undefined) return;
    if (op.x !== null) run(db, 'UPDATE children SET x = ? WHERE id = ?', op.x, id);
    if (op.y !== null) run(db, 'UPDATE children SET y = ? WHERE id = ?', op.y, id);
    if (op.parent !== null) run(db, 'UPDATE children SET parent_id = ? WHERE id = ?', parentOf(op.parent), id);
  }
}

function runPair(db: Database.Database, op: WriteOp): void {
  if (op.kind === 'pairPut') {
    run(db, 'INSERT INTO pairs VALUES (?, ?, ?, ?) ON CONFLICT (k1, k2) DO UPDATE SET v = excluded.v, w = excluded.w', op.k1, op.k2, op.v, op.w);
  } else if (op.kind === 'pairReplace') {
    run(db, 'INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?)', op.k1, op.k2, op.v, op.w);
  } else if (op.kind === 'pairSet') {
    const pair = nth(keysOf(db, 'pairs'), op.pick);
    if (pair !== undefined) run(db, 'UPDATE OR REPLACE pairs SET v = ?, w = ? WHERE k1 = ? AND k2 = ?', op.v, op.w, ...pair);
  }
}

function runDeleteOrRekey(db: Database.Database, op: WriteOp): void {
  if (op.kind !== 'delete' && op.kind !== 'rekey') return;
  const key = nth(keysOf(db, op.table), op.pick);
  if (key === undefined) return;
  const where = op.table === 'pairs' ? 'k1 = ? AND k2 = ?' : 'id = ?';
  if (op.kind === 'delete') return run(db, `DELETE FROM ${op.table} WHERE ${where}`, ...key);
  if (op.table === 'pairs') return run(db, `UPDATE pairs SET k2 = ? WHERE ${where}`, BigInt(op.key), ...key);
  run(db, `UPDATE ${op.table} SET id = ? WHERE ${where}`, `${op.table[0] ?? 'x'}${op.key}`, ...key);
}

/** Runs one application write on a connection. */
export function runWrite(db: Database.Database, op: WriteOp): void {
  runItem(db, op);
  runParent(db, op);
  runChild(db, op);
  runPair(db, op);
  runDeleteOrRekey(db, op);
}

/** Runs writes as one multi-statement transaction (a failing statement inside is skipped, as above). */
export function runTransaction(db: Database.Database, ops: readonly WriteOp[]): void {
  db.transaction(() => ops.forEach((op) => runWrite(db, op)))();
}
