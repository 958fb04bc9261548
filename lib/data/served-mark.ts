import { closeSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { SERVED_MARK_SUFFIX } from '../files/file-policy';
import { forgetLiveInodes } from '../files/live-databases';
import { openOwnRegularFileSync } from '../files/regular-file';
import { releaseTempPath, reserveTempPath } from '../files/temp-files';
import { numbers } from './prepared';
import { openedName } from './opened-name';

/** The last mark a database served: its site id, the seq the mark names, and the mark. */
export interface ServedMark {
  readonly site: string;
  readonly seq: number;
  readonly mark: string;
}

/** The served-mark file of a database, or undefined for a database in memory. */
export function servedMarkPath(db: Database.Database): string | undefined {
  return db.memory ? undefined : `${openedName(db)}${SERVED_MARK_SUFFIX}`;
}

function isServedMark(value: unknown): value is ServedMark {
  if (typeof value !== 'object' || value === null) return false;
  const { site, seq, mark } = value as Record<string, unknown>;
  return typeof site === 'string' && typeof mark === 'string' && Number.isSafeInteger(seq) && (seq as number) > 0;
}

/** The most a served-mark file holds (it holds about 80 bytes): a larger one is no mark, and is not read whole. */
const MAX_MARK_BYTES = 4096;

/**
 * Reads a served-mark file; undefined when it is missing, unreadable or not one (it is then no evidence either
 * way): larger than {@link MAX_MARK_BYTES}, or no regular file (a pipe or a device, never waited on: a pipe would
 * block the database's start for good, and a link to `/dev/zero` fill its memory).
 */
export function readServedMark(file: string | undefined): ServedMark | undefined {
  if (file === undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = openOwnRegularFileSync(file);
    if (fd === undefined) return undefined;
    const bytes = Buffer.alloc(MAX_MARK_BYTES + 1);
    const length = readSync(fd, bytes, 0, bytes.length, 0);
    if (length > MAX_MARK_BYTES) return undefined;
    const value: unknown = JSON.parse(bytes.subarray(0, length).toString('utf8'));
    return isServedMark(value) ? value : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Remembers, in a small file beside the database (`app.db-syncmark`), the
 * furthest mark this database has handed out: the seq and mark of the last
 * page (or snapshot) it served, under its site id. A file put back from an
 * older copy (`cp backup.db app.db`, which keeps the file and so its birth
 * time) does not carry this file back with it, so its start can see that it
 * went back before it captures or sends anything (see {@link rewindOf}).
 * Written by temp file and rename; a write that fails (a read-only folder) is
 * skipped: the file is a second line of defence, the peers' marks the first.
 */
export class ServedMarkFile {
  readonly #file: string | undefined;
  #last: ServedMark | undefined;

  /** Starts from what the file holds. */
  constructor(db: Database.Database) {
    this.#file = servedMarkPath(db);
    this.#last = readServedMark(this.#file);
  }

  /**
   * Records that `site` served `mark` for `seq`, unless a later seq of that
   * site is recorded (or this very mark): the database's mark for the seq
   * recorded wins over one a rolled-back transaction left here.
   */
  note(site: string, seq: number, mark: string): void {
    const last = this.#last;
    const known = last !== undefined && last.site === site && (last.seq > seq || (last.seq === seq && last.mark === mark));
    if (this.#file === undefined || known) return;
    const next: ServedMark = { site, seq, mark };
    const temp = reserveTempPath(this.#file);
    try {
      writeFileSync(temp, `${JSON.stringify(next)}\n`, { flag: 'wx', mode: 0o644 });
      renameSync(temp, this.#file);
      forgetLiveInodes(); // a new inode: a hard link to it is refused at once (live-databases.ts)
      this.#last = next;
    } catch {
      rmSync(temp, { force: true });
    } finally {
      releaseTempPath(temp);
    }
  }
}

/**
 * Compares a database with the last mark it served (its served-mark file).
 * @returns what shows that it went back — its seq is behind the seq it
 * served, or its history lacks the mark it served — or undefined when it
 * agrees, the file names another site id (the database took a new one since),
 * or there is no file
 */
export function rewindOf(db: Database.Database): string | undefined {
  const file = servedMarkPath(db);
  const served = readServedMark(file);
  if (served === undefined) return undefined;
  const site = numbers(db, 'SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string | undefined;
  if (site !== served.site) return undefined;
  const seq = (numbers(db, 'SELECT max(seq) FROM _sync_log').pluck().get() as number | null) ?? 0;
  if (seq < served.seq) return `it had served its changes up to seq ${served.seq} (${file}), but this database is at seq ${seq}: it was put back to an older copy`;
  const mark = numbers(db, 'SELECT mark FROM _sync_marks WHERE seq = ?').pluck().get(served.seq) as string | undefined;
  if (mark !== served.mark) return `the mark it served at seq ${served.seq} (${file}) is not in this database's history: it was put back to an older copy and written again`;
  return undefined;
}
