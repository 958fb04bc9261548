import type Database from 'better-sqlite3';
import { triggersMissing, triggersMovedTo } from './capture-repair';
import { numbers } from './prepared';
import { quoteIdent } from './sql-names';
import { describeSchema, diffSchemas, differencesInWords } from './schema-fingerprint';
import { SyncError } from '../sync-error';
import { inspectTable, type TableSchema } from './table-schema';
import { tempMetadataShadow, type TempObject } from './temp-metadata';
import type { TrackedTable } from './tracked-table';
import type { SchemaDescription } from './wire-schema';

/** The fix a SCHEMA_CHANGED message gives for a change the restart captures. */
const RESTART = 'sync is stopped so nothing is missed: restart the server (enableCapture then captures the change), and make the same change on every server';

function uniqueSignature(columns: readonly string[], collations: readonly string[]): string {
  return columns.map((column, i) => `${column} COLLATE ${collations[i] ?? 'BINARY'}`).join(', ');
}

/**
 * Notices a tracked table changed while the server runs (`ALTER TABLE … ADD
 * COLUMN`, a renamed column, a UNIQUE index added or dropped, a dropped or
 * renamed table, its capture triggers dropped): the triggers and the schema fingerprint were built at
 * `enableCapture`, so syncing on would silently miss the new column's values
 * or fail on a name that is gone. A TEMP table or view made under a tracked
 * table's name, or named like sync's metadata (`_sync_…`), on this connection
 * is noticed too (it would take the merges' writes). Reading `PRAGMA schema_version` (and temp's, once the connection
 * has a temp database) is cheap; only when one moved are the tracked tables or
 * temp's objects read again (any DDL moves it, most of it harmless: then the
 * new version is simply remembered).
 */
export class SchemaWatch {
  readonly #db: Database.Database;
  readonly #tables: readonly TrackedTable[];
  readonly #schema: SchemaDescription;
  readonly #version: Database.Statement;
  readonly #folded: Database.Statement;
  readonly #tempObjects: Database.Statement;
  readonly #tempOpen: Database.Statement;
  readonly #sameName: Database.Statement;
  /** `PRAGMA temp.schema_version`, prepared once the connection has a temp database (preparing it opens one). */
  #tempVersion: Database.Statement | undefined;
  #known: number;
  /** Temp's schema version when no TEMP object hid a tracked table; undefined while the connection has no temp database. */
  #knownTemp: number | undefined = -1;
  #lenient = false;
  #problem: SyncError | undefined;
  readonly #onMoved: (() => void)[] = [];

  /** @param schema - the tracked schema as `enableCapture` described it */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schema: SchemaDescription) {
    this.#db = db;
    this.#tables = tables;
    this.#schema = schema;
    this.#version = numbers(db, 'PRAGMA schema_version').pluck();
    this.#folded = numbers(db, 'SELECT folded FROM _sync_state WHERE id = 1').pluck();
    this.#known = this.#version.get() as number;
    // pragma_table_list reads temp's schema without opening a temp database (PRAGMA temp.schema_version would open one);
    // it lists temp's own schema table as sqlite_temp_schema, no tracked table's name (sqlite_ names are reserved).
    this.#tempObjects = numbers(db, "SELECT name, type FROM pragma_table_list WHERE schema = 'temp' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    this.#tempOpen = numbers(db, "SELECT 1 FROM pragma_database_list WHERE name = 'temp'").pluck();
    this.#sameName = numbers(db, 'SELECT ? = ? COLLATE NOCASE').pluck(); // SQLite's own folding of names: ASCII only
  }

  /**
   * Calls `listener` each time {@link check} finds the schema moved (main's or temp's) in a way sync goes on
   * with: an app's trigger, index, view or table made or dropped. The node warns then of an app trigger made
   * since the start that writes on merges.
   */
  onMoved(listener: () => void): void {
    this.#onMoved.push(listener);
  }

  /** Temp's schema version, or undefined while the connection has no temp database (then it has no TEMP object). */
  #tempSchemaVersion(): number | undefined {
    if (this.#tempOpen.get() === undefined) return undefined;
    this.#tempVersion ??= numbers(this.#db, 'PRAGMA temp.schema_version').pluck();
    return this.#tempVersion.get() as number;
  }

  /**
   * Runs `work` (reading the figures of `GET /status` and `/metrics`) with folds allowed to find the schema
   * changed without throwing: {@link mayFold} then answers false, and the fold answers the seq folded so far.
   * @returns what `work` returned, and the `SCHEMA_CHANGED` error when the schema changed
   */
  lenient<T>(work: () => T): { readonly value: T; readonly problem: SyncError | undefined } {
    this.#lenient = true;
    this.#problem = undefined;
    try {
      const value = work();
      return { value, problem: this.#problem };
    } finally {
      this.#lenient = false;
      this.#problem = undefined;
    }
  }

  /**
   * True when a fold may run; false when the schema changed and this is inside {@link lenient} (nothing is folded then).
   * @throws SyncError `SCHEMA_CHANGED` (409), as {@link check}, outside {@link lenient}
   */
  mayFold(): boolean {
    if (this.#lenient && this.#problem !== undefined) return false; // stopped already: the status answers what is folded
    try {
      this.check();
      return true;
    } catch (error) {
      if (!this.#lenient || !(error instanceof SyncError)) throw error;
      this.#problem = error;
      return false;
    }
  }

  /**
   * Inside {@link lenient}, takes a fold's refusal (`APPLY_REFUSED`: an app trigger refused the settling of this
   * server's own writes, refused again at every fold until it is fixed) as the problem the status reports, and
   * says true: the caller answers the seq folded so far. Outside, false (the caller throws it).
   */
  excuse(error: SyncError): boolean {
    if (!this.#lenient) return false;
    this.#problem ??= error;
    return true;
  }

  /** The local seq folded so far (what a fold answers when {@link mayFold} says no). */
  foldedSeq(): number {
    return this.#folded.get() as number;
  }

  /**
   * Throws when a tracked table is no longer what capture was built for.
   * @throws SyncError `SCHEMA_CHANGED` (409) naming the change and the fix: restart the server
   */
  check(): void {
    const tempVersion = this.#tempSchemaVersion();
    if (tempVersion !== this.#knownTemp) {
      const shadowed = this.#shadowed();
      if (shadowed !== undefined) throw new SyncError('SCHEMA_CHANGED', 409, `the tracked schema changed while this server runs (${shadowed.change}); ${shadowed.fix}`);
      // Inside the app's transaction temp's DDL may roll back, and its version come back to this number with other objects.
      if (!this.#db.inTransaction) this.#knownTemp = tempVersion;
      this.#moved();
    }
    const version = this.#version.get() as number;
    if (version === this.#known) return;
    const change = this.#tableGone() ?? this.#change();
    if (change !== undefined) {
      const fix = typeof change === 'string' ? this.#restartFix() : change.fix;
      throw new SyncError('SCHEMA_CHANGED', 409, `the tracked schema changed while this server runs (${typeof change === 'string' ? change : change.change}); ${fix}`);
    }
    this.#known = version;
    this.#moved();
  }

  #moved(): void {
    for (const listener of this.#onMoved) listener();
  }

  /**
   * A TEMP table or view made on this connection since the start under a tracked table's name (SQLite's names
   * match without case): SQL naming the table on this connection reaches the TEMP one first, so the merges
   * would write a peer's changes into it, and the table itself would miss them for good while every round is
   * ok. Sync stops until it is gone, and goes on by itself then. So does one named like sync's metadata
   * (`_sync_rows`…: {@link tempMetadataShadow}).
   */
  #shadowed(): { readonly change: string; readonly fix: string } | undefined {
    const objects = this.#tempObjects.all() as TempObject[];
    if (objects.length === 0) return undefined;
    for (const table of this.#tables) {
      const found = objects.find((object) => this.#sameName.get(object.name, table.name) === 1);
      if (found === undefined) continue;
      const kind = found.type === 'view' ? 'VIEW' : 'TABLE';
      return {
        change: `a TEMP ${kind.toLowerCase()} "${found.name}" made on this server's connection hides tracked table "${table.name}": SQL naming "${table.name}" on this connection reaches the TEMP ${kind.toLowerCase()}, the writes of a peer's changes included`,
        fix: `sync is stopped so nothing is written to it: drop it (DROP ${kind} temp.${quoteIdent(found.name)}) or give it another name, and sync goes on by itself`,
      };
    }
    return tempMetadataShadow(this.#db, objects);
  }

  /**
   * A tracked table that is gone: renamed away (its capture triggers went with it) or dropped. Named before
   * anything else, with its own fix: a restart would not capture it (creating the table empty would not bring
   * its rows back).
   */
  #tableGone(): { readonly change: string; readonly fix: string } | undefined {
    const exists = numbers(this.#db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE");
    const gone = this.#tables.find((table) => exists.get(table.name) === undefined);
    if (gone === undefined) return undefined;
    const name = quoteIdent(gone.name);
    const movedTo = triggersMovedTo(this.#db, gone);
    if (movedTo !== undefined) {
      return {
        change: `table ${gone.name} was renamed to ${movedTo}, its capture triggers with it`,
        fix: `sync is stopped so nothing is missed: rename it back (ALTER TABLE ${quoteIdent(movedTo)} RENAME TO ${name}) and sync goes on by itself; or, to keep the new name, make the same rename on every server and track "${movedTo}" instead of "${gone.name}" (\`tables\`) on every server, then restart them (tracking starts over under the new name). Do not create an empty ${name}: its rows would not come back`,
      };
    }
    return {
      change: `table "${gone.name}" is gone (dropped, or renamed and its capture triggers dropped)`,
      fix: `sync is stopped so nothing is missed: put the table back (rename it back, or restore it from a backup) and restart the server; to stop tracking it, remove it from \`tables\` on every server. Creating it empty would not bring its rows back`,
    };
  }

  /** A UNIQUE index added or dropped decides what is parked, and needs the REPLACE triggers `enableCapture` installs. */
  #uniquesChanged(schemas: readonly TableSchema[]): string | undefined {
    for (const table of this.#tables) {
      const now = schemas.find((schema) => schema.name === table.name);
      if (now === undefined) continue;
      const before = new Set(table.uniques.map((unique) => uniqueSignature(unique.columns.map((column) => column.name), unique.collations)));
      const after = new Set(now.uniques.map((unique) => uniqueSignature(unique.columns, unique.collations)));
      const added = [...after].find((signature) => !before.has(signature));
      if (added !== undefined) return `a UNIQUE index on ${table.name} (${added}) was added`;
      const dropped = [...before].find((signature) => !after.has(signature));
      if (dropped !== undefined) return `the UNIQUE index on ${table.name} (${dropped}) was dropped`;
    }
    return undefined;
  }

  /**
   * The fix of a change a restart captures. A table without its capture triggers (rebuilt by
   * create-copy-drop-rename, triggers dropped) does not capture edits to its existing rows until the
   * restart: the message says so, rather than promise that nothing is missed.
   */
  #restartFix(): string {
    const lost = this.#tables.find((table) => triggersMissing(this.#db, table));
    if (lost === undefined) return RESTART;
    return `sync is stopped, but table ${lost.name} has no capture triggers until the restart: rows added or deleted meanwhile are found at the restart, edits to existing rows are not captured (each stays on this server until that cell is written again): restart the server right after the migration (enableCapture then re-creates its triggers), and make the same change on every server`;
  }

  #change(): string | undefined {
    const schemas: TableSchema[] = [];
    for (const table of this.#tables) {
      try {
        schemas.push(inspectTable(this.#db, table.name));
      } catch (error) {
        return error instanceof Error ? error.message.replace(/^express-sqlite-sync: /, '') : String(error);
      }
    }
    const differences = diffSchemas(describeSchema(schemas), this.#schema).map((difference) =>
      difference
        .replace('exists only here', 'was added')
        .replace('exists only on the sender', 'is gone')
        .replace(' here but ', ' now but ')
        .replace(/ on the sender$/, ' at start')
        .replace('is tracked only here', 'is new'),
    );
    if (differences.length > 0) return differencesInWords(differences);
    const uniques = this.#uniquesChanged(schemas);
    if (uniques !== undefined) return uniques;
    const lost = this.#tables.find((table) => triggersMissing(this.#db, table));
    if (lost === undefined) return undefined;
    const movedTo = triggersMovedTo(this.#db, lost);
    return movedTo === undefined ? `table ${lost.name} lost its capture triggers` : `table ${lost.name} was renamed to ${movedTo}, its capture triggers with it`;
  }
}
