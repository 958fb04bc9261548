import type Database from 'better-sqlite3';
import { triggersMissing, triggersMovedTo } from './capture-repair';
import { numbers } from './prepared';
import { describeSchema, diffSchemas, differencesInWords } from './schema-fingerprint';
import { SyncError } from '../sync-error';
import { inspectTable, type TableSchema } from './table-schema';
import type { TrackedTable } from './tracked-table';
import type { SchemaDescription } from './wire-schema';

function uniqueSignature(columns: readonly string[], collations: readonly string[]): string {
  return columns.map((column, i) => `${column} COLLATE ${collations[i] ?? 'BINARY'}`).join(', ');
}

/**
 * Notices a tracked table changed while the server runs (`ALTER TABLE … ADD
 * COLUMN`, a renamed column, a UNIQUE index added or dropped, a dropped or
 * renamed table, its capture triggers dropped): the triggers and the schema fingerprint were built at
 * `enableCapture`, so syncing on would silently miss the new column's values
 * or fail on a name that is gone. Reading `PRAGMA schema_version` is cheap;
 * only when it moved are the tracked tables read again (any DDL moves it,
 * most of it harmless: then the new version is simply remembered).
 */
export class SchemaWatch {
  readonly #db: Database.Database;
  readonly #tables: readonly TrackedTable[];
  readonly #schema: SchemaDescription;
  readonly #version: Database.Statement;
  #known: number;

  /** @param schema - the tracked schema as `enableCapture` described it */
  constructor(db: Database.Database, tables: readonly TrackedTable[], schema: SchemaDescription) {
    this.#db = db;
    this.#tables = tables;
    this.#schema = schema;
    this.#version = numbers(db, 'PRAGMA schema_version').pluck();
    this.#known = this.#version.get() as number;
  }

  /**
   * Throws when a tracked table is no longer what capture was built for.
   * @throws SyncError `SCHEMA_CHANGED` (409) naming the change and the fix: restart the server
   */
  check(): void {
    const version = this.#version.get() as number;
    if (version === this.#known) return;
    const change = this.#change();
    if (change !== undefined) {
      throw new SyncError(
        'SCHEMA_CHANGED',
        409,
        `the tracked schema changed while this server runs (${change}); sync is stopped so nothing is missed: restart the server (enableCapture then captures the change), and make the same change on every server`,
      );
    }
    this.#known = version;
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
