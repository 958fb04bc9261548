import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture, type CaptureOptions } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { tempDir } from './temp';
import { SyncError } from '../../lib/sync-error';

/** A fresh temp-file database and its clean-up. */
export interface TempDb {
  readonly db: Database.Database;
  readonly file: string;
  /** Opens another connection to the same file (closed by `cleanup`). */
  connect(): Database.Database;
  cleanup(): void;
}

/** Opens a fresh database file in a temp directory, runs `schema` and turns foreign keys on. */
export function tempDb(schema = '', name = 'app.db'): TempDb {
  const dir = tempDir('ess-data-');
  const file = path.join(dir.dir, name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  if (schema !== '') db.exec(schema);
  const others: Database.Database[] = [];
  return {
    db,
    file,
    connect: () => {
      const other = new Database(file);
      other.pragma('busy_timeout = 2000');
      others.push(other);
      return other;
    },
    cleanup: () => {
      for (const other of others) if (other.open) other.close();
      if (db.open) db.close();
      dir.cleanup();
    },
  };
}

/** The scouting-style schema most data tests use: text UUID keys, an FK and a UNIQUE. */
export const TEST_SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, rating REAL, logo BLOB);
CREATE TABLE reports (
  id TEXT PRIMARY KEY NOT NULL,
  team_id TEXT NOT NULL REFERENCES teams (id),
  match TEXT NOT NULL,
  scout TEXT NOT NULL,
  score INTEGER NOT NULL DEFAULT 0,
  notes TEXT,
  UNIQUE (match, team_id, scout)
);
`;

/** A temp database with {@link TEST_SCHEMA} and capture enabled on both tables. */
export function trackedDb(options: Partial<CaptureOptions> = {}): TempDb & { readonly tracker: ChangeTracker } {
  const temp = tempDb(TEST_SCHEMA);
  const tracker = enableCapture(temp.db, { tables: ['teams', 'reports'], ...options });
  return { ...temp, tracker };
}

function digestValue(value: unknown): string {
  if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
  return `${typeof value}:${String(value)}`;
}

/**
 * A digest of the database: its schema (tables, indexes, triggers) and every
 * row of every table, `_sync_` metadata included unless `userOnly`, with
 * values and their types. Equal digests mean nothing changed.
 */
export function dbDigest(db: Database.Database, userOnly = false): string {
  const hash = createHash('sha256');
  const schema = db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').raw(true).all() as unknown[][];
  for (const entry of schema) {
    if (!userOnly || !String(entry[1]).startsWith('_sync_')) hash.update(`S ${entry.map(String).join('|')}\n`);
  }
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    if (userOnly && table.startsWith('_sync_')) continue;
    hash.update(`T ${table}\n`);
    const rows = db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).raw(true).safeIntegers(true).all() as unknown[][];
    for (const line of rows.map((row) => row.map(digestValue).join('|')).sort()) hash.update(`${line}\n`);
  }
  return hash.digest('hex');
}

/** Every row of a user table, ordered by primary key, values typed exactly (bigint for integers). */
export function tableRows(db: Database.Database, table: string, orderBy = 'id'): unknown[][] {
  return db.prepare(`SELECT * FROM "${table}" ORDER BY ${orderBy}`).raw(true).safeIntegers(true).all() as unknown[][];
}

/** Pulls every change `from` has into `to`, page by page, using `to`'s stored cursor. @returns how many changes moved */
export function pullAll(from: ChangeTracker, to: ChangeTracker, limit = 1000): number {
  let moved = 0;
  for (;;) {
    const page = from.readChanges(to.pullCursor(from.siteId), limit, to.siteId);
    moved += page.changes.length;
    to.applyChangeset(page);
    if (!page.more) return moved;
  }
}

/** One round of pulls between every pair of `trackers`, both ways. @returns how many changes moved */
export function pullRound(trackers: readonly ChangeTracker[]): number {
  let moved = 0;
  for (const from of trackers) for (const to of trackers) if (from !== to) moved += pullAll(from, to);
  return moved;
}

/**
 * Pulls between every pair of `trackers`, both ways, until a round moves nothing.
 * @throws when they still move changes after `maxRounds` rounds (no quiescence)
 */
export function syncToQuiescence(trackers: readonly ChangeTracker[], maxRounds = 6): void {
  for (let rounds = 0; pullRound(trackers) > 0; rounds += 1) if (rounds > maxRounds) throw new Error(`no quiescence after ${maxRounds} rounds`);
}

/** A temp database and its tracker, one of several servers a test syncs. */
export interface TrackedServer {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
}

/** `count` temp databases made with `schema`, each capturing `tables`; the caller cleans each `temp` up. */
export function trackedServers(count: number, schema: string, tables: readonly string[]): TrackedServer[] {
  return Array.from({ length: count }, () => {
    const temp = tempDb(schema);
    return { temp, tracker: enableCapture(temp.db, { tables: [...tables] }) };
  });
}

/** Every row of `table` keyed by `k`, with the key's class, quote() and hex first, values typed exactly. */
export function keyFormRows(db: Database.Database, table: string): unknown[] {
  return db.prepare(`SELECT typeof(k), quote(k), hex(k), * FROM ${table} ORDER BY k`).raw(true).safeIntegers(true).all();
}

/** A temp database made with `schema`, capturing `tables`: a server of a test. */
export type CapturingServer = TempDb & { readonly tracker: ChangeTracker };

/** A temp database made with `schema`, capturing `tables` (cleaned up by the caller). */
export function capturingServer(schema: string, tables: readonly string[]): CapturingServer {
  const temp = tempDb(schema);
  return { ...temp, tracker: enableCapture(temp.db, { tables: [...tables] }) };
}

/** The SyncError `apply` throws (a refused page); any other error is thrown again, and none fails the test. */
export function syncRefusal(apply: () => unknown): SyncError {
  try {
    apply();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('the page was applied');
}

/** The schema a page of {@link trackedDb}'s tables names (`WireChangeset.schema`), for pages a test writes by hand. */
export function trackedDbPageSchema(): unknown {
  const probe = trackedDb();
  try {
    return probe.tracker.readChanges(0, 1, 'ff'.repeat(16)).schema;
  } finally {
    probe.cleanup();
  }
}
