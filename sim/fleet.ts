import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { enableCapture } from '../lib/data/capture';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { EventQueue } from './events';
import { Random } from './rng';

/** How pages travel in a simulated fleet. */
export type Topology = 'mesh' | 'star' | 'nats';

/** What a run simulates. */
export interface SimOptions {
  readonly servers: number;
  readonly topology: Topology;
  /** Rows each server inserts during the write phase. */
  readonly writes: number;
  /** Updates of shared rows each server makes (conflicting cells). */
  readonly updates: number;
  /** Length of the write phase, virtual ms. */
  readonly durationMs: number;
  /** HTTP poll interval (mesh, star), virtual ms. */
  readonly pollMs: number;
  /** Share of servers that go offline for a while. */
  readonly offlineShare: number;
  /** Servers per venue (server 0 is the cloud server, in no venue). */
  readonly venueSize: number;
  /** Probability that a request (or a delivery) is lost. */
  readonly loss: number;
  readonly lanMs: number;
  readonly wanMs: number;
  readonly seed: number;
}

const SCHEMA = `
CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, server INTEGER NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE scores (id TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL, by INTEGER NOT NULL);
`;

/** The tables every simulated server syncs. */
export const SIM_TABLES = ['notes', 'scores'] as const;

/** One simulated server: an in-memory SQLite database with capture, the real tracker, and its counters. */
export class SimServer {
  readonly db: Database.Database;
  readonly tracker: ChangeTracker;
  readonly insert: Database.Statement;
  readonly update: Database.Statement;
  /** Venue number; -1 for the cloud server. */
  readonly venue: number;
  offline: { readonly from: number; readonly to: number } | undefined;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly index: number,
    venue: number,
  ) {
    this.venue = venue;
    this.db = new Database(':memory:');
    this.db.exec(SCHEMA);
    this.tracker = enableCapture(this.db, { tables: [...SIM_TABLES] });
    this.insert = this.db.prepare('INSERT INTO notes (id, server, n, body) VALUES (?, ?, ?, ?)');
    this.update = this.db.prepare('UPDATE scores SET value = ?, by = ? WHERE id = ?');
  }

  /** This server's site id. */
  get site(): string {
    return this.tracker.siteId;
  }

  /** True when it is on the network at `t`. */
  online(t: number): boolean {
    return this.offline === undefined || t < this.offline.from || t >= this.offline.to;
  }
}

/** The simulated fleet: servers, venues, who is offline when, which venue is cut off when, and the links. */
export class Fleet {
  readonly queue = new EventQueue();
  readonly random: Random;
  readonly servers: SimServer[];
  readonly partition: { readonly venue: number; readonly from: number; readonly to: number };
  readonly venues: number;
  readonly sharedIds: readonly string[];

  constructor(readonly options: SimOptions) {
    this.random = new Random(options.seed);
    this.venues = Math.max(1, Math.ceil((options.servers - 1) / options.venueSize));
    this.servers = Array.from({ length: options.servers }, (_, i) => new SimServer(i, i === 0 ? -1 : Math.floor((i - 1) / options.venueSize)));
    const d = options.durationMs;
    for (const i of this.random.pick(options.servers - 1, Math.round((options.servers - 1) * options.offlineShare))) {
      const from = this.random.between(0.1 * d, 0.5 * d);
      (this.servers[i + 1] as SimServer).offline = { from, to: from + this.random.between(0.2 * d, 0.4 * d) };
    }
    this.partition = { venue: Math.floor(this.random.next() * this.venues), from: 0.3 * d, to: 0.65 * d };
    this.sharedIds = Array.from({ length: 10 }, () => randomUUID());
  }

  /** True while a venue is cut off from the internet (its LAN still works). */
  cutOff(venue: number, t: number): boolean {
    return venue === this.partition.venue && t >= this.partition.from && t < this.partition.to;
  }

  /** True when `a` can reach `b` at `t`: both online, and across venues only when neither venue is cut off. */
  linkUp(a: SimServer, b: SimServer, t: number): boolean {
    if (!a.online(t) || !b.online(t)) return false;
    if (a.venue === b.venue && a.venue >= 0) return true;
    return !this.cutOff(a.venue, t) && !this.cutOff(b.venue, t);
  }

  /** One-way latency between two servers, with jitter. */
  latency(a: SimServer, b: SimServer): number {
    const base = a.venue === b.venue && a.venue >= 0 ? this.options.lanMs : this.options.wanMs;
    return base * this.random.between(0.8, 1.5);
  }

  /** True when a request or a delivery is lost. */
  lost(): boolean {
    return this.random.chance(this.options.loss);
  }

  /** Closes every database. */
  close(): void {
    for (const server of this.servers) server.db.close();
  }
}
