import fc from 'fast-check';
import type Database from 'better-sqlite3';
import type { ChangeTracker } from '../../lib/data/change-tracker';

/** The property tests' schema: a plain table, a composite-key WITHOUT ROWID table, and a parent/child pair. */
export const PROPERTY_SCHEMA = `
CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL, a INTEGER, b TEXT, c REAL, d);
CREATE TABLE pairs (k1 TEXT NOT NULL, k2 INTEGER NOT NULL, v TEXT, w BLOB, PRIMARY KEY (k1, k2)) WITHOUT ROWID;
CREATE TABLE parents (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE children (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT NOT NULL REFERENCES parents (id), x INTEGER);
`;

/** Tables tracked in the property tests, with their key columns for ordering. */
export const PROPERTY_TABLES: Readonly<Record<string, string>> = { items: 'id', pairs: 'k1, k2', parents: 'id', children: 'id' };

/** One database of a property run. */
export interface Peer {
  readonly db: Database.Database;
  readonly tracker: ChangeTracker;
}

type Value = null | bigint | number | string | Buffer;

/** Random operations; `db` and `pick` are taken modulo what exists when the op runs. */
export type Op =
  | { readonly kind: 'item'; readonly db: number; readonly key: number; readonly a: bigint | null; readonly b: string | null; readonly c: number | null; readonly d: Value }
  | { readonly kind: 'itemSet'; readonly db: number; readonly pick: number; readonly column: 'a' | 'b' | 'c' | 'd'; readonly value: Value }
  | { readonly kind: 'itemDelete' | 'childDelete' | 'pairDelete'; readonly db: number; readonly pick: number }
  | { readonly kind: 'itemRekey' | 'childRekey'; readonly db: number; readonly pick: number; readonly key: number }
  | { readonly kind: 'pair'; readonly db: number; readonly k1: string; readonly k2: bigint; readonly v: string | null; readonly w: Buffer | null }
  | { readonly kind: 'pairRekey'; readonly db: number; readonly pick: number; readonly k2: bigint }
  | { readonly kind: 'parent' | 'family'; readonly db: number; readonly key: number; readonly name: string }
  | { readonly kind: 'child'; readonly db: number; readonly key: number; readonly parent: number; readonly x: bigint }
  | { readonly kind: 'childSet'; readonly db: number; readonly pick: number; readonly parent: number; readonly x: bigint }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number; readonly limit: number; readonly pages: number };

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const real = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), fc.constantFrom(1.0, 2.5, -3.0));
const text = fc.string({ maxLength: 6 });
const blob = fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes));
const anyValue: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), int64, real, text, blob);
const db = fc.nat(4);
const pick = fc.nat(20);

/** An arbitrary operation. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('item' as const), db, key: fc.nat(7), a: fc.option(int64), b: fc.option(text), c: fc.option(real), d: anyValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('itemSet' as const), db, pick, column: fc.constantFrom('a' as const, 'b' as const, 'c' as const, 'd' as const), value: anyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('itemDelete' as const, 'childDelete' as const, 'pairDelete' as const), db, pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('itemRekey' as const, 'childRekey' as const), db, pick, key: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pair' as const), db, k1: fc.constantFrom('a', 'b', "c'd"), k2: fc.bigInt({ min: 0n, max: 3n }), v: fc.option(text), w: fc.option(blob) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pairRekey' as const), db, pick, k2: fc.bigInt({ min: 0n, max: 5n }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('parent' as const, 'family' as const), db, key: fc.nat(3), name: text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('child' as const), db, key: fc.nat(5), parent: fc.nat(5), x: int64 }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('childSet' as const), db, pick, parent: fc.nat(5), x: int64 }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: db, to: db, limit: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 50 })), pages: fc.integer({ min: 1, max: 3 }) }) },
);

function keys(peer: Peer, sql: string): unknown[][] {
  return peer.db.prepare(sql).raw(true).safeIntegers(true).all() as unknown[][];
}

function nth<T>(list: readonly T[], index: number): T | undefined {
  return list.length === 0 ? undefined : list[index % list.length];
}

/** Pulls up to `pages` pages of at most `limit` changes from one peer into another. */
export function pullPages(from: Peer, to: Peer, limit: number, pages = Number.POSITIVE_INFINITY): void {
  for (let page = 0; page < pages; page += 1) {
    const changes = from.tracker.readChanges(to.tracker.pullCursor(from.tracker.siteId), limit, to.tracker.siteId);
    to.tracker.applyChangeset(changes);
    if (!changes.more) return;
  }
}

function runItemOp(peer: Peer, op: Op): void {
  const ids = keys(peer, 'SELECT id FROM items ORDER BY id').map((row) => row[0]);
  if (op.kind === 'item') {
    peer.db.prepare('INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)').run(`i${op.key}`, op.a, op.b, op.c, op.d);
  } else if (op.kind === 'itemSet') {
    const id = nth(ids, op.pick);
    if (id !== undefined) peer.db.prepare(`UPDATE items SET ${op.column} = ? WHERE id = ?`).run(op.value, id);
  } else if (op.kind === 'itemDelete') {
    const id = nth(ids, op.pick);
    if (id !== undefined) peer.db.prepare('DELETE FROM items WHERE id = ?').run(id);
  } else if (op.kind === 'itemRekey') {
    const id = nth(ids, op.pick);
    if (id !== undefined && !ids.includes(`i${op.key}`)) peer.db.prepare('UPDATE items SET id = ? WHERE id = ?').run(`i${op.key}`, id);
  }
}

function runPairOp(peer: Peer, op: Op): void {
  const pairs = keys(peer, 'SELECT k1, k2 FROM pairs ORDER BY k1, k2');
  if (op.kind === 'pair') {
    peer.db.prepare('INSERT INTO pairs VALUES (?, ?, ?, ?) ON CONFLICT (k1, k2) DO UPDATE SET v = excluded.v, w = excluded.w').run(op.k1, op.k2, op.v, op.w);
  } else if (op.kind === 'pairDelete' || op.kind === 'pairRekey') {
    const pair = nth(pairs, op.pick);
    if (pair === undefined) return;
    if (op.kind === 'pairDelete') peer.db.prepare('DELETE FROM pairs WHERE k1 = ? AND k2 = ?').run(...pair);
    if (op.kind === 'pairRekey') {
      const k2 = op.k2;
      if (!pairs.some((other) => other[0] === pair[0] && other[1] === k2)) peer.db.prepare('UPDATE pairs SET k2 = ? WHERE k1 = ? AND k2 = ?').run(k2, ...pair);
    }
  }
}

function runFamilyOp(peer: Peer, op: Op): void {
  const parents = keys(peer, 'SELECT id FROM parents ORDER BY id').map((row) => row[0]);
  const children = keys(peer, 'SELECT id FROM children ORDER BY id').map((row) => row[0]);
  if (op.kind === 'parent' || op.kind === 'family') {
    peer.db.prepare('INSERT INTO parents VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name').run(`p${op.key}`, op.name);
    if (op.kind === 'parent') return;
    // A parent, a new child of it, then the parent edited: the parent's seq passes the child's.
    const id = `c${op.key + 10}`;
    if (!children.includes(id)) peer.db.prepare('INSERT INTO children VALUES (?, ?, 0)').run(id, `p${op.key}`);
    peer.db.prepare("UPDATE parents SET name = name || '+' WHERE id = ?").run(`p${op.key}`);
    return;
  }
  const parent = 'parent' in op ? nth(parents, op.parent) : undefined;
  if (op.kind === 'child' && parent !== undefined && !children.includes(`c${op.key}`)) {
    peer.db.prepare('INSERT INTO children VALUES (?, ?, ?)').run(`c${op.key}`, parent, op.x);
  }
  const child = 'pick' in op ? nth(children, op.pick) : undefined;
  if (child === undefined) return;
  if (op.kind === 'childSet' && parent !== undefined) peer.db.prepare('UPDATE children SET parent_id = ?, x = ? WHERE id = ?').run(parent, op.x, child);
  if (op.kind === 'childDelete') peer.db.prepare('DELETE FROM children WHERE id = ?').run(child);
  if (op.kind === 'childRekey' && !children.includes(`c${op.key}`)) peer.db.prepare('UPDATE children SET id = ? WHERE id = ?').run(`c${op.key}`, child);
}

/** Runs one operation against the peers. */
export function runOp(peers: readonly Peer[], op: Op): void {
  if (op.kind === 'sync') {
    const from = peers[op.from % peers.length];
    const to = peers[op.to % peers.length];
    if (from !== undefined && to !== undefined && from !== to) pullPages(from, to, op.limit, op.pages);
    return;
  }
  const peer = peers[op.db % peers.length];
  if (peer === undefined) return;
  runItemOp(peer, op);
  runPairOp(peer, op);
  runFamilyOp(peer, op);
}

/** Every peer pulls everything from every other, twice round: afterwards all have seen every change. */
export function syncEverything(peers: readonly Peer[], limit = 1000): void {
  for (let round = 0; round < 2; round += 1) {
    for (const to of peers) for (const from of peers) if (from !== to) pullPages(from, to, limit);
  }
}

/** A peer's user tables, each ordered by primary key, values typed exactly. */
export function snapshot(peer: Peer): Record<string, unknown[][]> {
  return Object.fromEntries(Object.entries(PROPERTY_TABLES).map(([table, order]) => [table, keys(peer, `SELECT * FROM ${table} ORDER BY ${order}`)]));
}
