import type { SyncLogger } from '../logger';

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
}

/**
 * What the manifest scans found wrong with file names, per root: the names
 * left out of sync because no peer would take them (not in NFC, too long, a
 * reserved or forbidden name). Each whole scan of a root replaces that
 * root's report, so a fixed name leaves it at the next scan. A name is
 * warned of once (`files.names_skipped`, one line per scan at most, quoting
 * a few), not at every scan.
 */
export class NameReport {
  readonly #byRoot = new Map<string, RootNameProblems>();
  readonly #warned = new Set<string>();
  readonly #logger: SyncLogger;

  /** @param logger - where names not warned of before are reported */
  constructor(logger: SyncLogger) {
    this.#logger = logger;
  }

  /**
   * Records what a scan of the whole root found, replacing the root's last report.
   * @param skipped - every name the scan left out because it cannot travel
   */
  record(root: string, skipped: readonly UnsyncableName[], now = Date.now()): void {
    const unsyncable = [...skipped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (unsyncable.length === 0) this.#byRoot.delete(root);
    else this.#byRoot.set(root, { root, at: new Date(now).toISOString(), unsyncableCount: unsyncable.length, unsyncable: unsyncable.slice(0, NAME_REPORT_LIMIT) });
    this.#warnOfNew(root, unsyncable);
  }

  /** The roots whose last whole scan found a problem, by name. */
  list(): RootNameProblems[] {
    return [...this.#byRoot.values()].sort((a, b) => (a.root < b.root ? -1 : 1));
  }

  #warnOfNew(root: string, unsyncable: readonly UnsyncableName[]): void {
    const fresh = unsyncable.filter((name) => !this.#warned.has(`${root}\0${name.path}`));
    if (fresh.length === 0) return;
    if (this.#warned.size + fresh.length > MAX_WARNED) this.#warned.clear();
    for (const name of fresh) this.#warned.add(`${root}\0${name.path}`);
    const first = fresh[0] as UnsyncableName;
    this.#logger.warn(
      { event: 'files.names_skipped', root, count: unsyncable.length, newCount: fresh.length, names: fresh.slice(0, LOGGED_NAMES).map((name) => name.path) },
      `${fresh.length} file or folder name(s) in root ${root} cannot travel and are left out of sync (${JSON.stringify(first.path)}: ${first.reason}); rename them (GET /status lists them under fileNameProblems)`,
    );
  }
}
