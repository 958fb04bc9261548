import type Database from 'better-sqlite3';
import type { DemoServer } from './cluster';
import type { SeededRows } from './scenario';
import { allEqual, type Digest, type ServerState } from './state';
import { formatTable } from './table';

function cell(digest: Digest | undefined, unit: string): string {
  return digest === undefined ? '-' : `${digest.count} ${unit}${digest.count === 1 ? '' : 's'} ${digest.digest}`;
}

function verdict(digests: ReadonlyArray<Digest | undefined>): string {
  const first = JSON.stringify(digests[0]);
  return digests.every((digest) => JSON.stringify(digest) === first) ? 'equal' : 'DIFFERENT';
}

/** The digest table: one line per table and per root, one column per server, and whether they agree. */
export function digestTable(servers: readonly DemoServer[], states: readonly ServerState[]): string {
  const rows: string[][] = [['what', ...servers.map((server) => `server ${server.name}`), 'verdict']];
  const first = states[0];
  if (first === undefined) return '';
  for (const table of Object.keys(first.tables)) {
    const digests = states.map((state) => state.tables[table]);
    rows.push([`table ${table}`, ...digests.map((digest) => cell(digest, 'row')), verdict(digests)]);
  }
  for (const root of Object.keys(first.roots)) {
    const digests = states.map((state) => state.roots[root]);
    rows.push([`files ${root}/`, ...digests.map((digest) => cell(digest, 'file')), verdict(digests)]);
  }
  return formatTable(rows);
}

/** Which server holds which conflict copy. */
export function conflictLines(servers: readonly DemoServer[], states: readonly ServerState[]): string[] {
  const holders = new Map<string, string[]>();
  states.forEach((state, index) => {
    for (const copy of state.conflictCopies) holders.set(copy, [...(holders.get(copy) ?? []), servers[index]?.name ?? '?']);
  });
  if (holders.size === 0) return ['  (none)'];
  return [...holders].map(([copy, names]) => `  ${copy}  (on ${names.join(', ')})`);
}

/** How the two contested reports ended, read on one server. */
export function outcomeLines(db: Database.Database, seeded: SeededRows): string[] {
  const find = db.prepare<[string], { notes: string | null; teleop_points: number }>('SELECT notes, teleop_points FROM match_reports WHERE id = ?');
  const shared = find.get(seeded.sharedReport);
  const raced = find.get(seeded.racedReport);
  return [
    shared === undefined
      ? '  report edited on every server: missing!'
      : `  report edited on every server: notes "${shared.notes ?? ''}", teleop ${shared.teleop_points} (last writer wins, per column)`,
    raced === undefined ? '  report deleted while edited elsewhere: deleted everywhere (a delete wins over a concurrent edit)' : `  report deleted while edited elsewhere: still there, notes "${raced.notes ?? ''}"`,
  ];
}

/** The closing line, and whether it is a success. */
export function verdictLine(states: readonly ServerState[], converged: boolean): { readonly line: string; readonly converged: boolean } {
  return converged && allEqual(states)
    ? { converged: true, line: `CONVERGED: all ${states.length} servers hold the same rows and the same files; each kept its own database file.` }
    : { converged: false, line: 'NOT CONVERGED: the servers differ, a sync failed, or a database file is where it must not be (see above).' };
}
