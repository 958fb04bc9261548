import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_TOKEN } from './server';

/** One running server of a {@link SchemaFleet}. */
export interface SchemaServer {
  readonly name: string;
  readonly url: string;
  readonly db: Database.Database;
  readonly node: SyncNode;
}

interface Slot {
  readonly name: string;
  readonly file: string;
  readonly server: http.Server;
  readonly url: string;
  running: SchemaServer | undefined;
  handler: http.RequestListener;
}

const DOWN: http.RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"DOWN","message":"server stopped"}}');
};

/**
 * Servers of one app schema on fixed URLs of 127.0.0.1 (port 0), each a database file of its own
 * with the sync node mounted at `/api/sync`: stopped, migrated with the file closed, started again
 * on the same URL. A stopped server's URL answers 503 `DOWN`.
 */
export class SchemaFleet {
  readonly #slots = new Map<string, Slot>();
  readonly #peers: Readonly<Record<string, readonly string[]>>;

  private constructor(slots: readonly Slot[], peers: Readonly<Record<string, readonly string[]>>) {
    for (const slot of slots) this.#slots.set(slot.name, slot);
    this.#peers = peers;
  }

  /** Listens for every server of `peers` (who syncs with whom); each database starts with `schema`. */
  static async listen(dir: string, peers: Readonly<Record<string, readonly string[]>>, schema: string): Promise<SchemaFleet> {
    const slots = await Promise.all(
      Object.keys(peers).map(async (name) => {
        const slot: Partial<Slot> & { handler: http.RequestListener } = { handler: DOWN };
        const server = http.createServer((req, res) => slot.handler(req, res));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return Object.assign(slot, { name, server, file: path.join(dir, `${name}.db`), url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, running: undefined }) as Slot;
      }),
    );
    for (const slot of slots) {
      const db = new Database(slot.file);
      db.exec(schema);
      db.close();
    }
    return new SchemaFleet(slots, peers);
  }

  #slot(name: string): Slot {
    const slot = this.#slots.get(name);
    if (slot === undefined) throw new Error(`no server ${name}`);
    return slot;
  }

  /** Starts a server tracking `tables` of its database file. */
  start(name: string, tables: readonly string[]): SchemaServer {
    const slot = this.#slot(name);
    const db = new Database(slot.file);
    db.pragma('foreign_keys = ON');
    const peers = (this.#peers[name] ?? []).map((peer) => `${this.#slot(peer).url}/api/sync`);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: [...tables], peers });
    slot.handler = express().use('/api/sync', node.router);
    slot.running = { name, url: slot.url, db, node };
    return slot.running;
  }

  /** A running server. */
  server(name: string): SchemaServer {
    const running = this.#slot(name).running;
    if (running === undefined) throw new Error(`${name} is stopped`);
    return running;
  }

  /** Stops a server: its sync, then its database. */
  async stop(name: string): Promise<void> {
    const slot = this.#slot(name);
    const running = slot.running;
    if (running === undefined) return;
    slot.handler = DOWN;
    slot.running = undefined;
    await running.node.stop();
    running.db.close();
  }

  /** Runs `sql` on a stopped server's database file, as an operator's migration would. */
  offline(name: string, sql: string): void {
    const slot = this.#slot(name);
    if (slot.running !== undefined) throw new Error(`${name} is running`);
    const db = new Database(slot.file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  }

  /** Syncs the running servers `names` round after round until one moves nothing; every result must be ok. */
  async syncUntilQuiet(names: readonly string[], maxRounds = 10): Promise<PeerSyncResult[]> {
    const seen: PeerSyncResult[] = [];
    for (let round = 0; round < maxRounds; round += 1) {
      let moved = 0;
      for (const name of names) {
        for (const result of await this.server(name).node.syncNow()) {
          seen.push(result);
          if (!result.ok && result.error?.code !== 'DOWN') throw new Error(`${name} → ${result.peer}: ${result.error?.code ?? '?'} ${result.error?.message ?? ''}`);
          moved += result.rowsPulled + result.rowsPushed;
        }
      }
      if (moved === 0) return seen;
    }
    throw new Error(`no quiet round after ${maxRounds}`);
  }

  /** Stops every server and closes the listeners. */
  async close(): Promise<void> {
    for (const name of this.#slots.keys()) await this.stop(name);
    await Promise.all(
      [...this.#slots.values()].map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }
}

/** Every row of `table` as `[typeof, quote]` per column, ordered by the quoted row: two servers holding the same cells give equal lists. */
export function typedRows(db: Database.Database, table: string): string[][] {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
  const parts = columns.map((column) => {
    const q = `"${column.replaceAll('"', '""')}"`;
    return `typeof(${q}) || ':' || quote(${q})`;
  });
  const rows = db.prepare(`SELECT ${parts.join(', ')} FROM "${table.replaceAll('"', '""')}"`).raw(true).all() as string[][];
  return rows.sort((a, b) => (a.join('|') < b.join('|') ? -1 : a.join('|') > b.join('|') ? 1 : 0));
}
