import type { SyncLogger } from '../logger';
import { caseClashes } from './case-clashes';
import { conflictCopiesIn, type RootConflictCopies } from './conflict-copy-report';

/** Names listed per root at most; the counts hold them all. */
export const NAME_REPORT_LIMIT = 20;

/** Names quoted in one log line at most. */
const LOGGED_NAMES = 5;

/** Names remembered as warned of; past it the memory starts again (a name may then be warned of once more). */
const MAX_WARNED = 10_000;

/** A file or folder the manifest scan left out because its name cannot travel. */
export interface UnsyncableName {
  /** Its path relative to the root, `/`-separated, as found on disk. */
  readonly path: string;
  /** Why no peer would take it, in words ("the path is not in Unicode NFC form"). */
  readonly reason: string;
}

/** What the last whole scan of one root counted: names left out, groups differing only in case, conflict copies. */
export interface NameCounts {
  readonly root: string;
  readonly unsyncable: number;
  readonly caseClashes: number;
  /** Conflict copies (files kept twice, see `conflictCopiesIn`). */
  readonly conflictCopies: number;
}

/** What the last whole scan of one root found wrong with its names. */
export interface RootNameProblems {
  /** The root's name. */
  readonly root: string;
  /** ISO time of that scan. */
  readonly at: string;
  /** Files and folders left out of sync because their names cannot travel (a folder counts once, for all it holds). */
  readonly unsyncableCount: number;
  /** The first {@link NAME_REPORT_LIMIT} of them, by path. */
  readonly unsyncable: readonly UnsyncableName[];
  /** Groups of paths that differ only in letter case (see `caseClashes`): how many. */
  readonly caseClashCount: number;
  /** The first {@link NAME_REPORT_LIMIT} groups; each path of a group syncs, but a case-insensitive disk holds only one. */
  readonly caseClashes: ReadonlyArray<readonly string[]>;
}

/**
 * What the manifest scans found wrong with file names, per root: the names
 * left out of sync because no peer would take them (not in NFC, too long, a
 * reserved or forbidden name), and the paths that differ only in letter
 * case (each syncs, but a Mac or Windows server keeps one of them). Each whole scan of a root replaces that
 * root's report, so a fixed name leaves it at the next scan. A name is
 * warned of once (`files.names_skipped`, `files.case_clash`: one line each
 * per scan at most, quoting a few), not at every scan.
 */
export class NameReport {
  readonly #byRoot = new Map<string, RootNameProblems>();
  /** Every root scanned whole, with its counts (0 once fixed), for `/metrics`. */
  readonly #counts = new Map<string, NameCounts>();
  /** Every root's case clashes as last computed, for a scan that re-read no folder (nothing changed). */
  readonly #clashes = new Map<string, string[][]>();
  /** The roots holding conflict copies, as last computed (with the case clashes). */
  readonly #copies = new Map<string, RootConflictCopies>();
  /** Roots with a folder re-read by a scan of that folder alone since their last whole scan. */
  readonly #changed = new Set<string>();
  readonly #warned = new Set<string>();
  readonly #logger: SyncLogger;

  /** @param logger - where names not warned of before are reported */
  constructor(logger: SyncLogger) {
    this.#logger = logger;
  }

  /**
   * Records what a scan of the whole root found, replacing the root's last report.
   * @param skipped - every name the scan left out because it cannot travel
   * @param paths - every path the scan listed, sorted (asked for only when the case clashes must be found again)
   * @param reread - whether the scan re-read a folder (else nothing changed since the last scan: the last case clashes hold)
   */
  record(root: string, skipped: readonly UnsyncableName[], paths: () => readonly string[], reread: boolean, now = Date.now()): void {
    const unsyncable = [...skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const known = reread || this.#changed.has(root) ? undefined : this.#clashes.get(root);
    const clashes = known ?? this.#findAgain(root, paths(), now);
    this.#clashes.set(root, clashes);
    const copies = this.#copies.get(root);
    if (copies !== undefined) this.#copies.set(root, { ...copies, at: new Date(now).toISOString() });
    this.#changed.delete(root);
    this.#counts.set(root, { root, unsyncable: unsyncable.length, caseClashes: clashes.length, conflictCopies: copies?.count ?? 0 });
    if (unsyncable.length === 0 && clashes.length === 0) this.#byRoot.delete(root);
    else {
      const at = new Date(now).toISOString();
      const listed = { unsyncable: unsyncable.slice(0, NAME_REPORT_LIMIT), caseClashes: clashes.slice(0, NAME_REPORT_LIMIT) };
      this.#byRoot.set(root, { root, at, unsyncableCount: unsyncable.length, caseClashCount: clashes.length, ...listed });
    }
    this.#warnOfNew(root, unsyncable);
    this.#warnOfClashes(root, clashes);
  }

  /** A root's case clashes, found again; its conflict copies too. */
  #findAgain(root: string, paths: readonly string[], now: number): string[][] {
    const copies = conflictCopiesIn(root, paths, new Date(now).toISOString());
    if (copies === undefined) this.#copies.delete(root);
    else this.#copies.set(root, copies);
    return caseClashes(paths);
  }

  /** The roots whose last whole scan found conflict copies (files kept twice, see `conflictCopiesIn`), by name. */
  conflictCopies(): RootConflictCopies[] {
    return [...this.#copies.values()].sort((a, b) => (a.root < b.root ? -1 : 1));
  }

  /** Notes that a scan of one folder of `root` re-read folders: its next whole scan finds the case clashes again. */
  noteChanged(root: string): void {
    this.#changed.add(root);
  }

  /** Every root scanned whole so far, with what its last scan counted (0 when nothing is wrong), by name. */
  counts(): NameCounts[] {
    return [...this.#counts.values()].sort((a, b) => (a.root < b.root ? -1 : 1));
  }

  /** The roots whose last whole scan found a problem, by name. */
  list(): RootNameProblems[] {
    return [...this.#byRoot.values()].sort((a, b) => (a.root < b.root ? -1 : 1));
  }

  /** Which of `items` were not warned of yet (by `keyOf`); they are from now on. */
  #fresh<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
    const fresh = items.filter((item) => !this.#warned.has(keyOf(item)));
    if (this.#warned.size + fresh.length > MAX_WARNED) this.#warned.clear();
    for (const item of fresh) this.#warned.add(keyOf(item));
    return fresh;
  }

  #warnOfClashes(root: string, clashes: ReadonlyArray<readonly string[]>): void {
    const fresh = this.#fresh(clashes, (group) => `${root}\0case\0${group.join('\0')}`);
    if (fresh.length === 0) return;
    const first = fresh[0] as readonly string[];
    this.#logger.warn(
      { event: 'files.case_clash', root, count: clashes.length, newCount: fresh.length, groups: fresh.slice(0, LOGGED_NAMES) },
      `${fresh.length} group(s) of paths in root ${root} differ only in letter case (${first.map((path) => JSON.stringify(path)).join(', ')}): each syncs, but a server on a case-insensitive disk (macOS, Windows) holds one of them and overwrites the other with it; rename all but one (GET /status lists them under fileNameProblems)`,
    );
  }

  #warnOfNew(root: string, unsyncable: readonly UnsyncableName[]): void {
    const fresh = this.#fresh(unsyncable, (name) => `${root}\0${name.path}`);
    if (fresh.length === 0) return;
    const first = fresh[0] as UnsyncableName;
    this.#logger.warn(
      { event: 'files.names_skipped', root, count: unsyncable.length, newCount: fresh.length, names: fresh.slice(0, LOGGED_NAMES).map((name) => name.path) },
      `${fresh.length} file or folder name(s) in root ${root} cannot travel and are left out of sync (${JSON.stringify(first.path)}: ${first.reason}); rename them (GET /status lists them under fileNameProblems)`,
    );
  }
}
