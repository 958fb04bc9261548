import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy, isDatabaseHeader } from '../../index';
import { SAMPLE_ROOTS } from '../config';
import { SCOUTING_TABLES } from '../scouting-schema';
import type { DemoServer } from './cluster';

/** A count and a short digest: equal digests mean equal content. */
export interface Digest {
  readonly count: number;
  readonly digest: string;
}

/** What a server holds, reduced to digests. */
export interface ServerState {
  /** Per synced table: rows, ordered by primary key. */
  readonly tables: Readonly<Record<string, Digest>>;
  /** Per sync root: files (names and bytes); database files left out, each server keeps its own. */
  readonly roots: Readonly<Record<string, Digest>>;
  /** Conflict copies, as `<root>/<path>`. */
  readonly conflictCopies: readonly string[];
}

const policy = createFilePolicy();

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Every file under `dir` (relative, `/`-separated, sorted), database files left out. */
function filesUnder(dir: string, relative = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) files.push(...filesUnder(dir, rel));
    else if (!policy.isDatabaseName(rel)) files.push(rel);
  }
  return files.sort();
}

function rootDigest(dir: string): Digest {
  const files = filesUnder(dir);
  const lines = files.map((file) => `${file} ${createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex')}`);
  return { count: files.length, digest: shortHash(lines.join('\n')) };
}

/** Reads a server's tables and roots into digests. */
export function readState(server: DemoServer): ServerState {
  const tables: Record<string, Digest> = {};
  for (const table of SCOUTING_TABLES) {
    const rows = server.db.prepare(`SELECT * FROM "${table}" ORDER BY id`).all();
    tables[table] = { count: rows.length, digest: shortHash(JSON.stringify(rows)) };
  }
  const roots: Record<string, Digest> = {};
  const conflictCopies: string[] = [];
  for (const root of SAMPLE_ROOTS) {
    const dir = path.join(server.dataDir, root);
    roots[root] = rootDigest(dir);
    conflictCopies.push(...filesUnder(dir).filter((file) => file.includes('.sync-conflict-')).map((file) => `${root}/${file}`));
  }
  return { tables, roots, conflictCopies };
}

/** True when every state is the same as the first. */
export function allEqual(states: readonly ServerState[]): boolean {
  const first = JSON.stringify(states[0]);
  return states.every((state) => JSON.stringify(state) === first);
}

/** The database files each server writes for itself (no others may appear): the database, SQLite's WAL and WAL-index, and the served-mark file express-sqlite-sync keeps beside it. */
const OWN_DATABASE_FILES = ['instance/app.db', 'instance/app.db-shm', 'instance/app.db-syncmark', 'instance/app.db-wal'];

function hasDatabaseHeader(file: string): boolean {
  const header = Buffer.alloc(16); // enough for every database header isDatabaseHeader knows
  const fd = openSync(file, 'r');
  try {
    return isDatabaseHeader(header.subarray(0, readSync(fd, header, 0, header.length, 0)));
  } finally {
    closeSync(fd);
  }
}

/** Every file in a server's data directory that is a database by name or by content, `<root>/<path>`. */
export function databaseFilesOf(server: DemoServer): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(server.dataDir, relative), { withFileTypes: true })) {
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (policy.isDatabaseName(rel) || hasDatabaseHeader(path.join(server.dataDir, rel))) found.push(rel);
    }
  };
  for (const root of SAMPLE_ROOTS) walk(root);
  return found.sort();
}

/** True when each server holds exactly its own database files and no copied one. */
export function databaseFilesAreOwn(servers: readonly DemoServer[]): boolean {
  return servers.every((server) => JSON.stringify(databaseFilesOf(server)) === JSON.stringify(OWN_DATABASE_FILES));
}

/** The database files in a sentence: all as expected, or what each server holds. */
export function databaseFileSummary(servers: readonly DemoServer[]): string {
  if (databaseFilesAreOwn(servers)) return `each server has only its own ${OWN_DATABASE_FILES.join(', ')}; no database file was synced`;
  return servers.map((server) => `${server.name}: ${databaseFilesOf(server).join(', ') || 'none'}`).join('; ');
}
