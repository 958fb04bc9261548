import { readdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { createFilePolicy } from '../../lib/files/file-policy';
import { isDatabaseHeader } from '../../lib/files/file-policy';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { dbDigest, tableRows } from './data';
import { treeDigest } from './file-roots';
import { readFileSync } from 'node:fs';

/** Digests of every synced table, by name (rows ordered by primary key, exact types). */
export function tableDigests(db: Database.Database): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const table of SCOUTING_TABLES) digests[table] = JSON.stringify(tableRows(db, table), (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  return digests;
}

/** A digest of the user tables only (no `_sync_` metadata). */
export function userDigest(db: Database.Database): string {
  return dbDigest(db, true);
}

/** Digests of the file roots that sync (everything but `instance`'s database files). */
export function rootDigests(dataDir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const root of ['config', 'uploads', 'logs', 'static']) digests[root] = treeDigest(path.join(dataDir, root));
  return digests;
}

/** Every file under `dir` that is a database by name or by content. */
export function databaseFilesUnder(dir: string): string[] {
  const policy = createFilePolicy();
  const found: string[] = [];
  const walk = (current: string, relative: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const absolute = path.join(current, entry.name);
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(absolute, rel);
      else if (entry.isFile() && (policy.isDatabaseName(rel) || isDatabaseHeader(readFileSync(absolute).subarray(0, 16)))) found.push(rel);
    }
  };
  walk(dir, '');
  return found.sort();
}
