import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { makePrivateTempDir, removePrivateTempDir } from '../files/temp-dirs';
import { refuseOpenTransaction } from './open-transaction';
import { ServedMarkFile } from './served-mark';
import { openedName } from './opened-name';
import { snapshotFailure, workerError } from './snapshot-failure';
import type { SnapshotFacts, SnapshotJob } from './snapshot-file';
import { SyncError } from '../sync-error';

/** A built snapshot lent to one response: the file stays until every lease is released. */
export interface SnapshotLease extends SnapshotFacts {
  /** The snapshot file, in a private temp folder outside every sync root. */
  readonly file: string;
  /** Gives the lease back; the file is removed when the last one is. */
  release(): void;
}

interface Built {
  readonly facts: SnapshotFacts;
  readonly dir: string;
  readonly file: string;
}

/** The worker's source file: the compiled `.js` beside this one, or the `.ts` source under ts-node and jest. */
function workerFile(): { readonly file: string; readonly execArgv: string[] | undefined } {
  const extension = path.extname(__filename);
  const file = path.join(__dirname, `snapshot-worker${extension}`);
  return { file, execArgv: extension === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : undefined };
}

/** Runs one snapshot job in a worker thread. */
function runWorker(job: SnapshotJob): Promise<SnapshotFacts> {
  const { file, execArgv } = workerFile();
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: job, execArgv });
    worker.once('message', (message: { ok: boolean; facts?: SnapshotFacts; message?: string; code?: string }) => {
      if (message.ok && message.facts !== undefined) resolve(message.facts);
      else reject(workerError(message.message, message.code));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the snapshot worker exited with code ${code}`)));
  });
}

/**
 * Serves consistent snapshots of a live database for new servers to start
 * from (`GET /data/snapshot`). A snapshot is built off the event loop, in a
 * worker thread with its own read-only connection (`VACUUM INTO` a private
 * temp folder, never in a sync root: see the constructor's `tempParent`): the app's tables that do not sync are
 * dropped from it, the capture log is folded, and it is hashed. Requests that
 * arrive while one is built or still streamed share it; it is deleted when
 * the last of them is done. A database in memory or not in WAL mode is first
 * copied with the online backup API on the app's connection, so the app's
 * writers are never locked out.
 */
export class SnapshotSource {
  readonly #db: Database.Database;
  readonly #tables: readonly string[];
  readonly #tempParent: () => string;
  #current: Promise<Built> | undefined;
  #leases = 0;

  /**
   * @param db - the app's database (its connection stays the app's)
   * @param tables - the tracked tables, the only app tables a snapshot holds
   * @param tempParent - the folder each snapshot's private temp folder goes in, asked at each build (it may throw a SyncError
   * to refuse the build); the OS temp folder by default. The router's keeps it outside every sync root: `tempParentOutsideRoots`
   */
  constructor(db: Database.Database, tables: readonly string[], tempParent: () => string = () => os.tmpdir()) {
    this.#db = db;
    this.#tables = tables;
    this.#tempParent = tempParent;
  }

  /**
   * Builds a snapshot, or joins one being built or served.
   * @throws SyncError `IN_TRANSACTION` (409) when the app holds a transaction open on its connection as the build needs it (to copy a
   * database not in WAL mode, or to record the snapshot's mark): what is read or recorded then could still roll back; `SNAPSHOT_FAILED`
   * when it cannot be built: 507 when the temp folder refused the write, 503 when the database stayed locked, else 500 (the detail is in the cause)
   */
  async acquire(): Promise<SnapshotLease> {
    this.#current ??= this.#build();
    const current = this.#current;
    this.#leases += 1;
    let built: Built;
    try {
      built = await current;
    } catch (error) {
      this.#leases -= 1;
      if (this.#current === current) this.#current = undefined;
      if (error instanceof SyncError) throw error;
      throw snapshotFailure(error);
    }
    let released = false;
    return {
      ...built.facts,
      file: built.file,
      release: () => {
        if (released) return;
        released = true;
        this.#leases -= 1;
        if (this.#leases === 0 && this.#current === current) {
          this.#current = undefined;
          removePrivateTempDir(built.dir, true);
        }
      },
    };
  }

  async #build(): Promise<Built> {
    const dir = await makePrivateTempDir('ess-snapshot-', this.#tempParent());
    try {
      const file = path.join(dir, 'snapshot.sqlite3');
      const facts = await runWorker({ source: await this.#readableSource(dir), target: file, tables: this.#tables });
      return { facts: { ...facts, mark: this.#markAt(facts.site, facts.seq) }, dir, file };
    } catch (error) {
      await removePrivateTempDir(dir);
      throw error;
    }
  }

  /** The mark of `seq` in the live database's history, recorded now when it has none (as a page's `next` gets one), and noted as served. */
  #markAt(site: string, seq: number): string {
    refuseOpenTransaction(this.#db, 'a snapshot for a peer'); // the mark would roll back with the app's transaction, while the joiner keeps it
    this.#db.prepare('INSERT OR IGNORE INTO _sync_marks (seq, mark) VALUES (?, lower(hex(randomblob(8))))').run(seq);
    const mark = this.#db.prepare('SELECT mark FROM _sync_marks WHERE seq = ?').pluck().get(seq) as string;
    new ServedMarkFile(this.#db).note(site, seq, mark);
    return mark;
  }

  /** The file the worker reads: the database itself in WAL mode, else a stage copied by the backup API. */
  async #readableSource(dir: string): Promise<string> {
    const wal = !this.#db.memory && String(this.#db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    if (wal) return openedName(this.#db);
    refuseOpenTransaction(this.#db, 'a snapshot for a peer'); // the backup would read through the app's transaction
    const stage = path.join(dir, 'stage.sqlite3');
    await this.#db.backup(stage);
    return stage;
  }
}
