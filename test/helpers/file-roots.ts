import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Root names every file-sync test uses, as the sample app does. */
export const ROOT_NAMES = ['instance', 'config', 'uploads', 'logs', 'static'] as const;

/** Creates the five sync roots under `base` and returns name → directory. */
export function makeRoots(base: string): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const name of ROOT_NAMES) {
    roots[name] = path.join(base, name);
    mkdirSync(roots[name], { recursive: true });
  }
  return roots;
}

/** Writes a file (creating folders) and returns its absolute path. */
export function put(dir: string, relative: string, content: string | Buffer): string {
  const absolute = path.join(dir, relative);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, content);
  return absolute;
}

/**
 * A digest of every entry under `dir`: names, types, symlink targets and
 * content. Equal digests mean byte-for-byte equal trees, temp files included.
 */
export function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string, relative: string): void => {
    for (const name of readdirSync(current).sort()) {
      const absolute = path.join(current, name);
      const rel = `${relative}/${name}`;
      const stats = lstatSync(absolute);
      if (stats.isSymbolicLink()) hash.update(`L ${rel} -> ${readlinkSync(absolute)}\n`);
      else if (stats.isDirectory()) {
        hash.update(`D ${rel}\n`);
        walk(absolute, rel);
      } else hash.update(`F ${rel} ${createHash('sha256').update(readFileSync(absolute)).digest('hex')}\n`);
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

/** Every file name under `dir` that looks like one of our temp files. */
export function tempFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const absolute = path.join(current, entry.name);
      if (entry.name.includes('.sync-tmp-')) found.push(absolute);
      if (entry.isDirectory()) walk(absolute);
    }
  };
  walk(dir);
  return found;
}

/** Real SQLite database bytes: a page-sized header as SQLite writes it. */
export const SQLITE_BYTES = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080, 1)]);
/** The start of a WAL file (big-endian magic 0x377f0682). */
export const WAL_BYTES = Buffer.concat([Buffer.from([0x37, 0x7f, 0x06, 0x82]), Buffer.alloc(28, 0)]);
/** The start of a rollback journal. */
export const JOURNAL_BYTES = Buffer.concat([Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]), Buffer.alloc(24, 0)]);
