import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { silentLogger, type PeerSyncResult, type SyncNode } from '../../index';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { TEST_TOKEN } from '../helpers/server';

/** A running sample app of the fleet. */
export interface FleetServer {
  readonly name: string;
  readonly url: string;
  readonly dataDir: string;
  readonly db: Database.Database;
  readonly sync: SyncNode;
}

interface Slot {
  readonly name: string;
  readonly server: http.Server;
  readonly url: string;
  readonly dataDir: string;
  running: FleetServer | undefined;
  handler: http.RequestListener;
}

const DOWN: http.RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"DOWN","message":"server stopped"}}');
};

/**
 * Sample-app servers on fixed URLs of 127.0.0.1 that can be stopped, have
 * their database file replaced (as an operator with `cp` would), and started
 * again on the same URL. While a server is stopped its URL answers 503.
 */
export class Fleet {
  readonly #slots = new Map<string, Slot>();
  readonly #peersOf: (name: string) => readonly string[];
  /** The `event` and `code` of every warning or error a server logged (as `identity.changed` when it took a new site id by itself). */
  readonly logged: { readonly server: string; readonly event: unknown; readonly code: unknown }[] = [];

  private constructor(slots: readonly Slot[], peersOf: (name: string) => readonly string[]) {
    for (const slot of slots) this.#slots.set(slot.name, slot);
    this.#peersOf = peersOf;
  }

  /** Listens for every server (none started yet); `peers` says who syncs with whom. */
  static async listen(baseDir: string, peers: Readonly<Record<string, readonly string[]>>): Promise<Fleet> {
    const slots = await Promise.all(
      Object.keys(peers).map(async (name) => {
        const slot: Partial<Slot> & { handler: http.RequestListener } = { handler: DOWN };
        const server = http.createServer((req, res) => slot.handler(req, res));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return Object.assign(slot, { name, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dataDir: path.join(baseDir, name), running: undefined }) as Slot;
      }),
    );
    return new Fleet(slots, (name) => peers[name] ?? []);
  }

  #slot(name: string): Slot {
    const slot = this.#slots.get(name);
    if (slot === undefined) throw new Error(`no server ${name}`);
    return slot;
  }

  /** The data directory of a server (started or not). */
  dataDir(name: string): string {
    return this.#slot(name).dataDir;
  }

  /** Starts a server on its data directory; `safeIntegers` switches its connection to `defaultSafeIntegers(true)` before capture. */
  start(name: string, options: { readonly safeIntegers?: boolean } = {}): FleetServer {
    const slot = this.#slot(name);
    const config = readSampleConfig({ DATA_DIR: slot.dataDir, SYNC_TOKEN: TEST_TOKEN });
    const db = openSampleDatabase(config.dataDir);
    if (options.safeIntegers === true) db.defaultSafeIntegers(true);
    const peers = this.#peersOf(name).map((peer) => `${this.#slot(peer).url}/api/sync`);
    const record = (detail: object): void => {
      const { event, code } = detail as { event?: unknown; code?: unknown };
      this.logged.push({ server: name, event, code });
    };
    const logger = { ...silentLogger, warn: record, error: record };
    const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger, peers });
    slot.running = { name, url: slot.url, dataDir: slot.dataDir, db, sync };
    slot.handler = app;
    return slot.running;
  }

  /** A running server. */
  server(name: string): FleetServer {
    const running = this.#slot(name).running;
    if (running === undefined) throw new Error(`${name} is stopped`);
    return running;
  }

  /** Stops a server: its sync, then its database (its URL answers 503 meanwhile). */
  async stop(name: string): Promise<void> {
    const slot = this.#slot(name);
    const running = slot.running;
    if (running === undefined) return;
    slot.handler = DOWN;
    slot.running = undefined;
    await running.sync.stop();
    running.db.close();
  }

  /** Syncs every running server with its peers, round after round, until a round moves nothing and fails nowhere (but on stopped peers). */
  async syncUntilQuiet(names: readonly string[], maxRounds = 10): Promise<PeerSyncResult[]> {
    const seen: PeerSyncResult[] = [];
    for (let round = 0; round < maxRounds; round += 1) {
      let moved = 0;
      let failed = 0;
      for (const name of names) {
        for (const result of await this.server(name).sync.syncNow()) {
          seen.push(result);
          moved += result.rowsPulled + result.rowsPushed;
          if (!result.ok && result.error?.code !== 'DOWN') failed += 1; // a stopped peer is not a failure to wait out
        }
      }
      if (moved === 0 && failed === 0) return seen;
    }
    throw new Error(`no quiet round after ${maxRounds}: ${JSON.stringify(seen.slice(-names.length * 2).map((r) => r.error ?? 'ok'))}`);
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

/** Every cell of the sample app's synced tables, typed exactly (`typeof`, `hex`, and the value), by table. */
export function cells(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of SCOUTING_TABLES) {
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).map((c) => `typeof(${c}), hex(${c}), ${c}`);
    out[table] = (db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY id`).raw(true).safeIntegers(true).all() as unknown[][]).map((row) =>
      row.map((value) => (typeof value === 'number' && Object.is(value, -0) ? '-0' : typeof value === 'bigint' ? `${value}n` : Buffer.isBuffer(value) ? `x${value.toString('hex')}` : value)),
    );
  }
  return out;
}

/** Live rows the sync metadata knows that neither the table nor its parked rows hold: ghosts. */
export function ghosts(db: Database.Database): string[] {
  const found: string[] = [];
  for (const { id, name } of db.prepare('SELECT id, name FROM _sync_tables').safeIntegers(false).all() as { id: number; name: string }[]) {
    const parked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(`_sync_parked_${id}`) === undefined ? '' : `AND r.pk NOT IN (SELECT id FROM "_sync_parked_${id}")`;
    const sql = `SELECT r.pk FROM _sync_rows r WHERE r.tbl = ? AND r.cl % 2 = 1 AND r.pk NOT IN (SELECT id FROM "${name}") ${parked}`;
    for (const pk of db.prepare(sql).pluck().all(id) as string[]) found.push(`${name}:${pk}`);
  }
  return found;
}
