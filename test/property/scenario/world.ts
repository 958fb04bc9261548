import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { runTransaction, runWrite, writeOpArbitrary, type WriteOp } from './ops';
import { SCENARIO_SCHEMA, SCENARIO_TABLE_NAMES } from './schema';
import { runSync, syncOpArbitrary, type StalePages, type SyncOp } from './sync-ops';

/** How one server starts: its main connection's integer mode before and after capture, and rows written before capture. */
export interface ServerSetup {
  readonly safeBeforeCapture: boolean;
  readonly safeAfterCapture: boolean;
  readonly before: readonly WriteOp[];
}

/** A write on server `server` through connection `via` (0: the tracker's, 1: a second one, 2: a safe-integers one, 3: one with foreign keys off, as the `sqlite3` shell), alone or in a transaction. */
export interface WriteStep {
  readonly kind: 'write';
  readonly server: number;
  readonly via: number;
  readonly ops: readonly WriteOp[];
}

/** One step of a scenario. */
export type Step = WriteStep | SyncOp;

/** A whole scenario: 2–5 servers, how each starts, then writes and partial syncs. */
export interface Scenario {
  readonly servers: readonly ServerSetup[];
  readonly steps: readonly Step[];
}

const serverSetup: fc.Arbitrary<ServerSetup> = fc.record({
  safeBeforeCapture: fc.boolean(),
  safeAfterCapture: fc.boolean(),
  before: fc.array(writeOpArbitrary, { maxLength: 4 }),
});

const writeStep: fc.Arbitrary<WriteStep> = fc.record({
  kind: fc.constant('write' as const),
  server: fc.nat(4),
  via: fc.nat(3),
  ops: fc.oneof({ weight: 4, arbitrary: fc.array(writeOpArbitrary, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(writeOpArbitrary, { minLength: 2, maxLength: 4 }) }),
});

/** An arbitrary scenario. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  servers: fc.oneof({ weight: 3, arbitrary: fc.array(serverSetup, { minLength: 2, maxLength: 3 }) }, { weight: 1, arbitrary: fc.array(serverSetup, { minLength: 4, maxLength: 5 }) }),
  steps: fc.array(fc.oneof({ weight: 3, arbitrary: writeStep }, { weight: 2, arbitrary: syncOpArbitrary }), { minLength: 1, maxLength: 40, size: 'max' }),
});

/** One server of a scenario: a temp-file database, the tracker, and three more connections to the same file. */
export interface Server {
  readonly db: Database.Database;
  readonly tracker: ChangeTracker;
  /** The tracker's connection, a second plain one, a safe-integers one, one with foreign keys off. */
  readonly connections: readonly Database.Database[];
}

function connect(file: string, safe: boolean, foreignKeys = true): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 2000');
  db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  db.defaultSafeIntegers(safe);
  return db;
}

/** Opens a server in `dir` as `setup` says (rows before capture, integer modes). */
export function openServer(dir: string, name: string, setup: ServerSetup): Server {
  const file = path.join(dir, `${name}.db`);
  const db = connect(file, setup.safeBeforeCapture);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(SCENARIO_SCHEMA);
  for (const op of setup.before) runWrite(db, op);
  const tracker = enableCapture(db, { tables: SCENARIO_TABLE_NAMES });
  db.defaultSafeIntegers(setup.safeAfterCapture);
  return { db, tracker, connections: [db, connect(file, false), connect(file, true), connect(file, false, false)] };
}

/** The servers of one scenario and their clean-up. */
export interface World {
  readonly servers: Server[];
  readonly dir: string;
  close(): void;
}

/** Opens the servers of a scenario in a fresh temp directory. */
export function openWorld(scenario: Scenario): World {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ess-scenario-'));
  const servers = scenario.servers.map((setup, index) => openServer(dir, `s${index}`, setup));
  return {
    servers,
    dir,
    close: () => {
      for (const server of servers) for (const connection of server.connections) if (connection.open) connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the scenario's steps. */
export function runSteps(world: World, steps: readonly Step[]): void {
  const stale: StalePages = new Map();
  const { servers } = world;
  for (const step of steps) {
    if (step.kind === 'write') {
      const server = servers[step.server % servers.length];
      const connection = server?.connections[step.via % 4];
      if (connection === undefined) continue;
      if (step.ops.length === 1 && step.ops[0] !== undefined) runWrite(connection, step.ops[0]);
      else runTransaction(connection, step.ops);
      continue;
    }
    const [from, to] = [servers[step.from % servers.length], servers[step.to % servers.length]];
    if (from !== undefined && to !== undefined && from !== to) runSync(from.tracker, to.tracker, step, stale);
  }
}
