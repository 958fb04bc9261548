import type Database from 'better-sqlite3';

/**
 * The table of transports' cursors: a name (the transport chooses it, e.g.
 * `nats:FLEET:applied`) to an opaque text value (a stream sequence, a local
 * seq, a stream's creation time). The merge never reads it; a transport saves
 * its position here in the same transaction that applies the page it moved past.
 */
export const TRANSPORT_CURSORS_DDL = 'CREATE TABLE IF NOT EXISTS _sync_transport_cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID';

/**
 * The local seq up to which this database's content came from a peer's
 * snapshot (saved when a snapshot is adopted or imported). Everything up to
 * it was the sender's, so a transport that publishes this server's changes
 * (NATS) starts after it instead of sending the whole snapshot again.
 */
export const SNAPSHOT_SEQ_CURSOR = 'snapshot:seq';

/**
 * Records {@link SNAPSHOT_SEQ_CURSOR} (inside the adopting or importing
 * transaction), and forgets the site id the sender read its streams as
 * (`nats:<stream>:reader`): the new server reads on from the sender's
 * position as itself, not as a database that changed its id (which reads a
 * stream again from its start).
 */
export function saveSnapshotSeq(db: Database.Database, localSeq: number): void {
  db.exec(TRANSPORT_CURSORS_DDL);
  db.prepare('INSERT INTO _sync_transport_cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(SNAPSHOT_SEQ_CURSOR, String(localSeq));
  db.prepare("DELETE FROM _sync_transport_cursors WHERE name GLOB 'nats:*:reader'").run();
}

/** A cursor to save with a page: its name and its new value. */
export interface TransportCursor {
  readonly name: string;
  readonly value: string;
}

/**
 * Reads and writes `_sync_transport_cursors`, creating the table when it is
 * missing. Statements are prepared once, here.
 */
export class TransportCursors {
  readonly #get: Database.Statement;
  readonly #save: Database.Statement;
  readonly #drop: Database.Statement;
  readonly #captured: Database.Statement;

  /** Creates the table if needed and prepares the statements (the capture metadata must exist). */
  constructor(db: Database.Database) {
    db.exec(TRANSPORT_CURSORS_DDL);
    this.#get = db.prepare('SELECT value FROM _sync_transport_cursors WHERE name = ?').pluck();
    this.#save = db.prepare('INSERT INTO _sync_transport_cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.#drop = db.prepare('DELETE FROM _sync_transport_cursors WHERE name = ?');
    this.#captured = db.prepare('SELECT max(seq) FROM _sync_log').pluck();
  }

  /** The value of a cursor, or undefined when it was never saved. */
  get(name: string): string | undefined {
    return this.#get.get(name) as string | undefined;
  }

  /** Saves a cursor (inside the caller's transaction, when there is one). */
  save(cursor: TransportCursor): void {
    this.#save.run(cursor.name, cursor.value);
  }

  /** Forgets a cursor. */
  drop(name: string): void {
    this.#drop.run(name);
  }

  /**
   * The last seq the capture log holds, folded or not: a read without a
   * write lock, cheap enough to poll (it only tells that something is new).
   */
  capturedSeq(): number {
    return Number(this.#captured.get() ?? 0);
  }
}
