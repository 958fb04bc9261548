import type Database from 'better-sqlite3';
import { numbers } from './prepared';
import { isReservedName, META_PREFIX } from './sql-names';
import { refuse, refuseGenerated } from './capture-refusal';

/** Most columns a tracked table may have: an UPDATE records changed columns in a 64-bit mask. */
export const MAX_TRACKED_COLUMNS = 63;

/** One column of a table as read from its schema. */
export interface ColumnSchema {
  /** Column name. */
  readonly name: string;
  /** Declared type, upper-cased (`TEXT`, `INTEGER`, `` for none). */
  readonly type: string;
  /** 1-based position in the primary key, 0 when not a key column. */
  readonly pk: number;
  /** True when declared NOT NULL. */
  readonly notNull: boolean;
  /** Its DEFAULT as SQL text (`pragma_table_info`'s `dflt_value`); null or absent without one. */
  readonly dflt?: string | null;
}

/** A foreign key of a table: its columns and the parent's. */
export interface ForeignKeySchema {
  /** The parent table. */
  readonly parent: string;
  /** Child columns, in order. */
  readonly from: readonly string[];
  /** Parent columns, in order (the parent's primary key when the schema names none). */
  readonly to: readonly string[];
}

/** A UNIQUE index other than the primary key: its columns in index order and their collations. */
export interface UniqueSchema {
  readonly columns: readonly string[];
  /** Collation of each column in the index (`BINARY`, `NOCASE`, …). */
  readonly collations: readonly string[];
}

/** What capture needs to know about one table. */
export interface TableSchema {
  readonly name: string;
  /** Ordinary (not generated) columns in declaration order. */
  readonly columns: readonly ColumnSchema[];
  /** Key columns in primary-key order. */
  readonly key: readonly ColumnSchema[];
  readonly foreignKeys: readonly ForeignKeySchema[];
  /** UNIQUE indexes other than the primary key (plain columns, no WHERE clause). */
  readonly uniques: readonly UniqueSchema[];
}

/** `pragma_table_xinfo` `hidden` values of generated columns (VIRTUAL, STORED): computed, never synced. */
const GENERATED_VIRTUAL = 2;
const GENERATED_STORED = 3;

interface XInfoRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  hidden: number;
  dflt_value: string | null;
}

/** What `pragma_table_list` types are called in a message. */
const KIND_NAMES: Readonly<Record<string, string>> = { virtual: 'virtual table', shadow: "virtual table's shadow table", view: 'view' };

function checkKind(db: Database.Database, name: string): boolean {
  if (name === '') refuse(name, 'its name is empty, and the sync protocol names every table; rename it (ALTER TABLE "" RENAME TO …)');
  if (isReservedName(name)) refuse(name, 'names starting with _sync_ or sqlite_ are reserved');
  const row = numbers(db, 'SELECT type, wr FROM pragma_table_list WHERE schema = ? AND name = ?').get('main', name) as
    | { type: string; wr: number }
    | undefined;
  if (row === undefined) {
    const spelled = numbers(db, 'SELECT name FROM pragma_table_list WHERE schema = ? AND name = ? COLLATE NOCASE').pluck().get('main', name) as string | undefined;
    if (spelled !== undefined) refuse(name, `no table of that spelling; the table is "${spelled}": write its name as it was created`);
    refuse(name, 'no such table in the main database; create it before enabling capture');
  }
  if (row.type !== 'table') refuse(name, `it is a ${KIND_NAMES[row.type] ?? row.type}; only ordinary tables can be tracked`);
  if (numbers(db, "SELECT 1 FROM pragma_table_list WHERE schema = 'temp' AND name = ? COLLATE NOCASE").get(name) !== undefined) {
    refuse(name, `a TEMP table "${name}" on this connection hides it (SQL naming "${name}" reaches the temp table, capture triggers included); drop or rename the TEMP table before enabling capture`);
  }
  return row.wr === 1;
}

/**
 * True when a rowid table's key is its rowid: SQLite then keeps no index for the key (a key that is not
 * the rowid has an index of origin `pk`). That is SQLite's own rule, whatever the spelling: `id INTEGER
 * PRIMARY KEY` and `PRIMARY KEY (id DESC)` are the rowid, `id INTEGER PRIMARY KEY DESC` and `id INT
 * PRIMARY KEY` are not (https://www.sqlite.org/lang_createtable.html#rowid).
 */
function keyIsRowid(db: Database.Database, name: string, key: readonly ColumnSchema[], withoutRowid: boolean): boolean {
  if (withoutRowid || key.length !== 1) return false;
  return numbers(db, `SELECT 1 FROM pragma_index_list(?, 'main') WHERE origin = 'pk'`).get(name) === undefined;
}

function checkKey(name: string, key: readonly ColumnSchema[], withoutRowid: boolean, rowidKey: boolean): void {
  const fix = 'give it a globally unique key such as `id TEXT PRIMARY KEY NOT NULL` holding a UUID or ULID';
  if (key.length === 0) refuse(name, `it has no PRIMARY KEY (rows would be matched by rowid, which differs between servers); ${fix}`);
  const only = key[0];
  if (rowidKey && only !== undefined) {
    refuse(name, `"${only.name}" INTEGER PRIMARY KEY is an alias of the rowid: an insert without an id (or with NULL) gets the next one counted from 1, and those collide between servers; ${fix}`);
  }
  for (const column of key) {
    if (!column.notNull && !withoutRowid) {
      refuse(name, `key column "${column.name}" is nullable (SQLite allows NULL in a PRIMARY KEY); declare it NOT NULL`);
    }
  }
}

/**
 * Reads the foreign keys, the parent table and its columns spelled as the parent spells them (see
 * {@link spelledColumn}). One whose child columns include a generated column is refused, as is one
 * whose parent does not exist.
 */
function readForeignKeys(db: Database.Database, name: string, generated: ReadonlySet<string>): ForeignKeySchema[] {
  const rows = numbers(db, `SELECT id, "table" AS parent, "from" AS fromColumn, "to" AS toColumn FROM pragma_foreign_key_list(?, 'main') ORDER BY id, seq`).all(name) as {
    id: number;
    parent: string;
    fromColumn: string;
    toColumn: string | null;
  }[];
  const byId = new Map<number, { parent: string; from: string[]; to: (string | null)[] }>();
  for (const row of rows) {
    const entry = byId.get(row.id) ?? { parent: row.parent, from: [], to: [] };
    entry.from.push(row.fromColumn);
    entry.to.push(row.toColumn);
    byId.set(row.id, entry);
  }
  return [...byId.values()].map((fk) => {
    const label = `foreign key (${fk.from.join(', ')})`;
    const computed = fk.from.find((column) => generated.has(column));
    if (computed !== undefined) refuseGenerated(name, label, computed, `make "${computed}" an ordinary column the app writes, or drop the foreign key`);
    const parent = numbers(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND name = ? COLLATE NOCASE").pluck().get(fk.parent) as string | undefined;
    if (parent === undefined) refuse(name, `its ${label} names table "${fk.parent}", which does not exist; create it first, or drop the foreign key`);
    const parentKey = () => (numbers(db, "SELECT name FROM pragma_table_info(?, 'main') WHERE pk > 0 ORDER BY pk").all(parent) as { name: string }[]).map((r) => r.name);
    const to = fk.to.every((column) => column !== null) ? (fk.to as string[]).map((column) => spelledColumn(db, parent, column)) : parentKey();
    return { parent, from: fk.from, to };
  });
}

/**
 * A parent column as the parent table spells it. SQLite matches the names of a
 * REFERENCES clause without case (`REFERENCES Teams (ID)` points at `teams.id`),
 * and keeps them as written there; the constraint rules find the parent and its
 * columns by their own spelling. A name the parent lacks is kept (SQLite refuses
 * the child's writes: "foreign key mismatch").
 */
function spelledColumn(db: Database.Database, parent: string, column: string): string {
  return (numbers(db, "SELECT name FROM pragma_table_info(?, 'main') WHERE name = ? COLLATE NOCASE").pluck().get(parent, column) as string | undefined) ?? column;
}

interface IndexColumn {
  name: string | null;
  coll: string;
  key: number;
}

function indexColumns(db: Database.Database, index: string): IndexColumn[] {
  return (numbers(db, `SELECT name, coll, "key" FROM pragma_index_xinfo(?, 'main') ORDER BY seqno`).all(index) as IndexColumn[]).filter((column) => column.key === 1);
}

/**
 * Refuses a key column compared under another collation than BINARY: keys SQLite holds equal
 * ('K1' and 'k1') are two rows to the sync, and servers would keep different values for good.
 */
function checkKeyCollations(name: string, key: readonly ColumnSchema[], collations: readonly string[]): void {
  key.forEach((column, i) => {
    const collation = collations[i] ?? 'BINARY';
    if (collation.toUpperCase() === 'BINARY') return;
    refuse(
      name,
      `key column "${column.name}" has COLLATE ${collation}: keys SQLite holds equal under it (such as 'K1' and 'k1') are different rows to the sync, and servers would keep different values for good; drop the COLLATE from the key (for values unique without case, add a UNIQUE column with COLLATE NOCASE beside a BINARY key)`,
    );
  });
}

/**
 * Reads the UNIQUE indexes and checks the key's collations. A partial or expression
 * UNIQUE index is refused: which of two rows claiming a value is visible must
 * be decided from the replicated state, and such an index hides the rule. So is
 * one that includes a generated column (not synced), and a key with a collation.
 */
function readIndexes(db: Database.Database, name: string, key: readonly ColumnSchema[], generated: ReadonlySet<string>): { uniques: UniqueSchema[] } {
  const indexes = numbers(db, `SELECT name, origin, partial FROM pragma_index_list(?, 'main') WHERE "unique" = 1`).all(name) as { name: string; origin: string; partial: number }[];
  const uniques: UniqueSchema[] = [];
  for (const index of indexes) {
    const columns = indexColumns(db, index.name);
    const computed = columns.find((column) => column.name !== null && generated.has(column.name));
    if (computed?.name != null) {
      const list = columns.map((column) => column.name ?? '<expression>').join(', ');
      const constraint = index.origin === 'pk' ? 'PRIMARY KEY' : index.origin === 'u' ? `UNIQUE (${list})` : `UNIQUE index "${index.name}" (${list})`;
      refuseGenerated(name, constraint, computed.name, `make "${computed.name}" an ordinary column the app writes, or leave it out of the ${index.origin === 'pk' ? 'key' : 'index'}`);
    }
    if (index.origin === 'pk') {
      checkKeyCollations(name, key, key.map((column) => columns.find((c) => c.name === column.name)?.coll ?? 'BINARY'));
      continue;
    }
    if (index.partial === 1 || columns.some((column) => column.name === null)) {
      refuse(name, `its UNIQUE index "${index.name}" has a WHERE clause or an expression; which row keeps a UNIQUE value must follow from the synced data alone: use a UNIQUE index on plain columns`);
    }
    uniques.push({ columns: columns.map((column) => column.name as string), collations: columns.map((column) => column.coll) });
  }
  return { uniques };
}

/**
 * Reads a table's schema and checks it can be tracked (see also {@link refuseUntrackedParents}).
 * @throws SyncError `CAPTURE_REFUSED` naming what to change: a missing table, a view, a TEMP table of the
 * same name, no primary key, an `INTEGER PRIMARY KEY` (the rowid; `INTEGER PRIMARY KEY DESC` is not), a nullable key column, a key column
 * with a collation other than BINARY, a reserved or empty name, too many columns, a partial or expression
 * UNIQUE index, a key, UNIQUE index or foreign key that includes a generated column, or a foreign key to a
 * table that does not exist
 */
export function inspectTable(db: Database.Database, name: string): TableSchema {
  const withoutRowid = checkKind(db, name);
  const info = numbers(db, `SELECT name, type, "notnull", pk, hidden, dflt_value FROM pragma_table_xinfo(?, 'main')`).all(name) as XInfoRow[];
  const generated = new Set(info.filter((column) => column.hidden === GENERATED_VIRTUAL || column.hidden === GENERATED_STORED).map((column) => column.name));
  const generatedKey = info.find((column) => generated.has(column.name) && column.pk > 0);
  if (generatedKey !== undefined) refuseGenerated(name, 'PRIMARY KEY', generatedKey.name, `make "${generatedKey.name}" an ordinary column the app writes`);
  const columns = info
    .filter((column) => column.hidden === 0)
    .map((column) => ({ name: column.name, type: column.type.toUpperCase(), pk: column.pk, notNull: column.notnull === 1, dflt: column.dflt_value }));
  if (columns.length > MAX_TRACKED_COLUMNS) refuse(name, `it has ${columns.length} columns; at most ${MAX_TRACKED_COLUMNS} can be tracked (split the table)`);
  if (columns.some((column) => column.name === '')) refuse(name, 'it has a column whose name is empty (""), and the sync protocol names every column; rename it (ALTER TABLE … RENAME COLUMN "" TO …)');
  const key = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
  checkKey(name, key, withoutRowid, keyIsRowid(db, name, key, withoutRowid));
  const reserved = columns.find((column) => column.name.toLowerCase().startsWith(META_PREFIX));
  if (reserved !== undefined) refuse(name, `column "${reserved.name}": names starting with ${META_PREFIX} are reserved`);
  return { name, columns, key, foreignKeys: readForeignKeys(db, name, generated), ...readIndexes(db, name, key, generated) };
}

/**
 * Refuses a foreign key of a tracked table to a table that is not tracked: the parent's rows never reach
 * other servers, so they would keep the child's rows out (parked) while this server shows them.
 * @param schemas every table capture tracks
 * @throws SyncError `CAPTURE_REFUSED` naming the child, the foreign key and the parent
 */
export function refuseUntrackedParents(schemas: readonly TableSchema[]): void {
  // Both names as the database spells them (inspectTable reads a parent's so): SQLite folds only ASCII case, "Équipe" is not "équipe".
  const tracked = new Set(schemas.map((schema) => schema.name));
  for (const schema of schemas) {
    const fk = schema.foreignKeys.find((one) => !tracked.has(one.parent));
    if (fk === undefined) continue;
    refuse(
      schema.name,
      `its foreign key (${fk.from.join(', ')}) references table "${fk.parent}", which is not tracked: its rows never reach other servers, so they would keep this table's rows out while this server shows them; add "${fk.parent}" to \`tables\`, or drop the foreign key (if "${fk.parent}" is a tracked table renamed away, ALTER TABLE … RENAME TO took this foreign key along: rebuild a table by creating the new one, copying, dropping the old one and renaming the new one instead)`,
    );
  }
}
