import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SIM_TABLES, type SimServer } from './fleet';

/**
 * When each inserted row has reached every server: a row counts once per
 * server, when it is born there (a local insert, or a merge). Rows are found
 * through `_sync_rows.born`, the seq of a row's birth, so each check reads
 * only what one apply wrote.
 */
export class Convergence {
  readonly #servers: number;
  readonly #rows = new Map<string, { readonly t0: number; seen: number }>();
  readonly #born = new Map<SimServer, Database.Statement>();
  /** Per row: from its insert until the last server has it. */
  readonly times: number[] = [];
  /** Per row and server: from its insert until that server has it. */
  readonly deliveries: number[] = [];

  constructor(servers: number) {
    this.#servers = servers;
  }

  /** A row inserted at `t` (seen by its writer). */
  written(pk: string, t: number): void {
    this.#rows.set(pk, { t0: t, seen: 1 });
  }

  /** Rows not on every server yet. */
  get pending(): number {
    return this.#rows.size;
  }

  /** After `server` applied something that moved its seq from `before` to `after` at time `t`. */
  applied(server: SimServer, before: number, after: number, t: number): void {
    if (after <= before) return;
    let born = this.#born.get(server);
    if (born === undefined) {
      born = server.db.prepare('SELECT pk FROM _sync_rows WHERE born > ? AND born <= ?').pluck();
      this.#born.set(server, born);
    }
    for (const pk of born.all(before, after) as string[]) {
      const row = this.#rows.get(pk);
      if (row === undefined) continue;
      row.seen += 1;
      this.deliveries.push(t - row.t0);
      if (row.seen === this.#servers) {
        this.times.push(t - row.t0);
        this.#rows.delete(pk);
      }
    }
  }
}

/** A digest of each synced table of a server (rows by key, values typed). */
export function tableDigests(server: SimServer): string[] {
  return SIM_TABLES.map((table) => {
    const rows = server.db.prepare(`SELECT * FROM ${table} ORDER BY id`).raw(true).all() as unknown[][];
    return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  });
}

/** How many synced tables differ between servers. */
export function divergentTables(servers: readonly SimServer[]): number {
  const digests = servers.map(tableDigests);
  return SIM_TABLES.filter((_, index) => new Set(digests.map((d) => d[index])).size > 1).length;
}

/** The `p`th percentile of a list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
