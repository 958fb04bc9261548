import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** The table the end-to-end sync benchmarks move: 7 columns, a text UUID key, a UNIQUE index. */
export const SYNC_BENCH_SCHEMA = `
CREATE TABLE IF NOT EXISTS readings (
  id TEXT PRIMARY KEY NOT NULL, team INTEGER NOT NULL, match TEXT NOT NULL, scout TEXT NOT NULL,
  score INTEGER NOT NULL, rating REAL, notes TEXT, UNIQUE (match, team, scout));
`;

/** Row `i`, the same in every process: a UUID-shaped key derived from `i`. */
export function benchRow(i: number): [string, number, string, string, number, number, string] {
  const hex = createHash('md5').update(`row ${i}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return [id, 1 + (i % 9000), `Q${Math.floor(i / 9000)}`, `scout ${i % 3}`, i % 97, (i % 1000) / 7, `reading number ${i}`];
}

/** Inserts rows `0 … count-1` in transactions of 50,000. */
export function insertBenchRows(db: Database.Database, count: number): void {
  const insert = db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) insert.run(...benchRow(i));
  });
  for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000));
}
