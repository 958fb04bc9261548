import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { dbDigest, tempDb } from '../../helpers/data';

const wide = `CREATE TABLE wide (id TEXT PRIMARY KEY NOT NULL, ${Array.from({ length: 63 }, (_, i) => `c${i} TEXT`).join(', ')})`;

const REFUSALS: ReadonlyArray<readonly [string, string, string, RegExp]> = [
  ['a table without a primary key', 'CREATE TABLE t (name TEXT)', 't', /has no PRIMARY KEY.*id TEXT PRIMARY KEY NOT NULL.*UUID or ULID/],
  ['an INTEGER PRIMARY KEY (rowid alias)', 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)', 't', /"id" INTEGER PRIMARY KEY is an alias of the rowid.*collide between servers.*UUID or ULID/],
  ['an AUTOINCREMENT key', 'CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)', 't', /alias of the rowid/],
  ['a PRIMARY KEY (id DESC) table constraint (the rowid all the same)', 'CREATE TABLE t (id INTEGER NOT NULL, name TEXT, PRIMARY KEY (id DESC))', 't', /"id" INTEGER PRIMARY KEY is an alias of the rowid/],
  // Not the rowid (SQLite's quirk): refused for what is true of it, a key column that holds NULL.
  ['a nullable INTEGER PRIMARY KEY DESC', 'CREATE TABLE t (id INTEGER PRIMARY KEY DESC, name TEXT)', 't', /key column "id" is nullable.*declare it NOT NULL/],
  ['a nullable key column', 'CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT)', 't', /key column "id" is nullable.*declare it NOT NULL/],
  ['a nullable column of a composite key', 'CREATE TABLE t (a TEXT NOT NULL, b TEXT, PRIMARY KEY (a, b))', 't', /key column "b" is nullable/],
  ['a view', "CREATE TABLE base (id TEXT PRIMARY KEY NOT NULL); CREATE VIEW t AS SELECT * FROM base", 't', /it is a view; only ordinary tables/],
  ['a missing table', '', 'nope', /no such table.*create it before enabling capture/],
  ['a reserved name', 'CREATE TABLE _sync_mine (id TEXT PRIMARY KEY NOT NULL)', '_sync_mine', /reserved/],
  ['more than 63 columns', wide, 'wide', /64 columns; at most 63/],
  ['a foreign key to a table that does not exist', 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, p TEXT REFERENCES nothere (id))', 't', /foreign key \(p\) names table "nothere", which does not exist/],
];

describe('enableCapture refuses tables it cannot sync safely', () => {
  it.each(REFUSALS)('refuses %s, saying what to change, and changes nothing', (_name, schema, table, message) => {
    const temp = tempDb(schema);
    try {
      const before = dbDigest(temp.db);
      let caught: unknown;
      try {
        enableCapture(temp.db, { tables: [table] });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SyncError);
      expect((caught as SyncError).code).toBe('CAPTURE_REFUSED');
      expect((caught as SyncError).message).toMatch(message);
      expect(dbDigest(temp.db)).toBe(before);
    } finally {
      temp.cleanup();
    }
  });

  it('accepts a composite key, a WITHOUT ROWID table and an INTEGER PRIMARY KEY DESC (not the rowid)', () => {
    const temp = tempDb(
      'CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, v TEXT, PRIMARY KEY (a, b)); CREATE TABLE w (id TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID; CREATE TABLE d (id INTEGER PRIMARY KEY DESC NOT NULL, v TEXT)',
    );
    try {
      expect(enableCapture(temp.db, { tables: ['pairs', 'w', 'd'] }).info().tables).toEqual(['pairs', 'w', 'd']);
    } finally {
      temp.cleanup();
    }
  });

  it.each([
    ['no database', undefined, { tables: ['t'] }, TypeError],
    ['no tables option', 'db', {}, TypeError],
    ['tables that are not strings', 'db', { tables: [1] }, TypeError],
    ['an empty table list', 'db', { tables: [] }, RangeError],
    ['a table named twice', 'db', { tables: ['t', 't'] }, RangeError],
  ] as const)('refuses %s with a %p', (_name, db, options, type) => {
    const temp = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL)');
    try {
      const target = db === 'db' ? temp.db : db;
      expect(() => enableCapture(target as never, options as never)).toThrow(type);
    } finally {
      temp.cleanup();
    }
  });
});
