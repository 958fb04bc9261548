import type Database from 'better-sqlite3';

import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { SCENARIO_TABLES, SCENARIO_TABLE_NAMES, type ScenarioTable } from './schema';
import { syncToQuiescence } from './sync-ops';
import { openServer, runSteps, openWorld, type Scenario, type Server, type World } from './world';

/** A cell as the checks compare it: storage class, `quote()`, `hex()` of a text's bytes, and the exact value (the sign of a zero included). */
function cellText(type: unknown, quoted: unknown, hex: unknown, value: unknown): string {
  let exact: string;
  if (typeof value === 'number') exact = Object.is(value, -0) ? '-0' : String(value);
  else if (Buffer.isBuffer(value)) exact = `x${value.toString('hex')}`;
  else exact = String(value);
  return `${String(type)}|${String(quoted)}|${hex === null ? '' : String(hex)}|${exact}`;
}

function tableSnapshot(db: Database.Database, table: ScenarioTable): string[] {
  const columns = [...table.key, ...table.columns];
  const select = columns.map((c) => `typeof(${c}), quote(${c}), CASE typeof(${c}) WHEN 'text' THEN hex(${c}) END, ${c}`).join(', ');
  const rows = db.prepare(`SELECT ${select} FROM ${table.name} ORDER BY ${table.key.join(', ')}`).raw(true).safeIntegers(true).all() as unknown[][];
  return rows.map((row) => columns.map((_, i) => cellText(row[i * 4], row[i * 4 + 1], row[i * 4 + 2], row[i * 4 + 3])).join(' ; '));
}

/** Every cell of every tracked table, by table. */
export function snapshot(db: Database.Database): Record<string, string[]> {
  return Object.fromEntries(SCENARIO_TABLES.map((table) => [table.name, tableSnapshot(db, table)]));
}

/** The conflicts list without the local time of parking. */
export function conflicts(tracker: ChangeTracker): unknown[] {
  return tracker.listConflicts(undefined, 1_000_000).map(({ at: _at, ...entry }) => entry);
}

/** Rows the metadata says are alive but neither the table nor the conflicts hold, or the reverse. */
function ghosts(server: Server): string[] {
  const problems: string[] = [];
  const parked = server.tracker.listConflicts(undefined, 1_000_000);
  for (const table of SCENARIO_TABLES) {
    const key = table.key.length === 1 ? `t.${table.key[0] ?? ''}` : table.key.map((k) => `quote(t.${k})`).join(` || ',' || `);
    const live = server.db.prepare(`SELECT count(*) FROM _sync_rows r JOIN _sync_tables s ON s.id = r.tbl WHERE s.name = ? AND r.cl % 2 = 1`).pluck().safeIntegers(false).get(table.name) as number;
    const rows = server.db.prepare(`SELECT count(*) FROM ${table.name}`).pluck().safeIntegers(false).get() as number;
    const untracked = server.db
      .prepare(`SELECT count(*) FROM ${table.name} AS t WHERE NOT EXISTS (SELECT 1 FROM _sync_rows r JOIN _sync_tables s ON s.id = r.tbl WHERE s.name = ? AND r.pk = ${key} AND r.cl % 2 = 1)`)
      .pluck()
      .safeIntegers(false)
      .get(table.name) as number;
    const parkedHere = parked.filter((entry) => entry.table === table.name).length;
    if (live !== rows + parkedHere || untracked !== 0) problems.push(`${table.name}: ${live} live rows in the metadata, ${rows} in the table, ${parkedHere} parked, ${untracked} untracked`);
  }
  return problems;
}

/** What is wrong with one server on its own: integrity, foreign keys, metadata that does not match the tables. */
function localProblems(server: Server, name: string): string[] {
  const problems = ghosts(server).map((problem) => `${name}: ${problem}`);
  const integrity = server.db.prepare('PRAGMA integrity_check').pluck().get();
  if (integrity !== 'ok') problems.push(`${name}: integrity_check says ${String(integrity)}`);
  const dangling = server.db.prepare('PRAGMA foreign_key_check').all();
  if (dangling.length > 0) problems.push(`${name}: foreign_key_check finds ${JSON.stringify(dangling)}`);
  return problems;
}

/**
 * Each live row's life and birth, and the clock every cell has (its own, or its row's birth): the
 * replicated state behind the rows. A cell without a clock of its own is judged by its row's birth (a
 * column added since), so two servers holding one life under two births would part at the next migration.
 */
function liveClocks(db: Database.Database): string[] {
  const rows = db
    .prepare(
      `SELECT t.name, quote(r.pk), r.cl, r.hlc, s.site, c.name, coalesce(x.hlc, r.hlc), coalesce(xs.site, s.site)
       FROM _sync_rows AS r JOIN _sync_tables AS t ON t.id = r.tbl JOIN _sync_sites AS s ON s.id = r.site
       JOIN _sync_columns AS c ON c.tbl = r.tbl
       LEFT JOIN _sync_cells AS x ON x.tbl = r.tbl AND x.pk = r.pk AND x.col = c.id LEFT JOIN _sync_sites AS xs ON xs.id = x.site
       WHERE r.cl % 2 = 1 ORDER BY 1, 2, 6`,
    )
    .raw(true)
    .safeIntegers(true)
    .all() as unknown[][];
  return rows.map((row) => row.map(String).join('|'));
}

function compare(name: string, reference: Server, server: Server): string[] {
  const problems: string[] = [];
  const [held, holds] = [liveClocks(reference.db), liveClocks(server.db)];
  const differ = held.filter((line, index) => holds[index] !== line);
  if (differ.length > 0 || held.length !== holds.length) problems.push(`${name}'s births or cell clocks differ from s0's (${differ.length} of ${held.length}): first s0 ${differ[0] ?? ''}`);
  const [expected, actual] = [snapshot(reference.db), snapshot(server.db)];
  for (const table of SCENARIO_TABLE_NAMES) {
    if (JSON.stringify(expected[table]) !== JSON.stringify(actual[table])) {
      problems.push(`${name}.${table} differs from s0:\n  s0: ${JSON.stringify(expected[table])}\n  ${name}: ${JSON.stringify(actual[table])}`);
    }
  }
  const [theirs, ours] = [JSON.stringify(conflicts(reference.tracker)), JSON.stringify(conflicts(server.tracker))];
  if (theirs !== ours) problems.push(`${name}'s conflicts differ from s0's:\n  s0: ${theirs}\n  ${name}: ${ours}`);
  return problems;
}

/** A server that starts empty and pulls everything from `source`. */
function freshCopy(world: World, source: Server): Server {
  const fresh = openServer(world.dir, 'fresh', { safeBeforeCapture: false, safeAfterCapture: true, before: [] });
  world.servers.push(fresh);
  for (;;) {
    const page = source.tracker.readChanges(fresh.tracker.pullCursor(source.tracker.siteId), 97, fresh.tracker.siteId);
    fresh.tracker.applyChangeset(page);
    if (page.more !== true) return fresh;
  }
}

/**
 * Runs a scenario to quiescence and returns what diverged: every cell by
 * storage class, `quote()`, text bytes and sign of zero; each live row's birth and
 * cell clocks; the conflicts lists;
 * `foreign_key_check` and `integrity_check`; metadata against tables; and a
 * fresh server that pulls everything from the first. Empty means converged.
 */
export function divergences(scenario: Scenario): string[] {
  let world: World | undefined;
  try {
    world = openWorld(scenario);
    runSteps(world, scenario.steps);
    const servers = [...world.servers];
    const rounds = syncToQuiescence(servers.map((server) => server.tracker));
    if (rounds === undefined) return ['no quiescence after 12 full rounds'];
    const [first] = servers;
    if (first === undefined) return [];
    const problems = servers.flatMap((server, index) => localProblems(server, `s${index}`));
    servers.slice(1).forEach((server, index) => problems.push(...compare(`s${index + 1}`, first, server)));
    const fresh = freshCopy(world, first);
    problems.push(...localProblems(fresh, 'fresh'), ...compare('fresh', first, fresh));
    return problems;
  } catch (error) {
    return [`threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
  } finally {
    world?.close();
  }
}

