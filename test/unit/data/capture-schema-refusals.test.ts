import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { createSyncRouter } from '../../../node/create-sync-router';
import { trackTable } from '../../../lib/data/tracked-table';
import { dbDigest, pullAll, tableRows, tempDb, TEST_SCHEMA } from '../../helpers/data';
import { TEST_TOKEN } from '../../helpers/server';

/** [case, schema, tables given to enableCapture, what the message must say (the table and the column or constraint)]. */
const REFUSALS: ReadonlyArray<readonly [string, string, readonly string[], RegExp]> = [
  [
    'a UNIQUE over a plain and a VIRTUAL generated column',
    'CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, g TEXT AS (upper(b)) VIRTUAL, UNIQUE (a, g))',
    ['u'],
    /table "u": its UNIQUE \(a, g\) includes generated column "g": generated columns are not synced.*make "g" an ordinary column/,
  ],
  [
    'a UNIQUE on a STORED generated column alone',
    'CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, b TEXT, g TEXT AS (upper(b)) STORED UNIQUE)',
    ['u'],
    /table "u": its UNIQUE \(g\) includes generated column "g"/,
  ],
  [
    'a CREATE UNIQUE INDEX on a generated column',
    'CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, b TEXT, g TEXT AS (upper(b))); CREATE UNIQUE INDEX u_g ON u (g)',
    ['u'],
    /table "u": its UNIQUE index "u_g" \(g\) includes generated column "g"/,
  ],
  [
    'a foreign key from a generated column',
    'CREATE TABLE p (code TEXT PRIMARY KEY NOT NULL); CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, v TEXT, g TEXT AS (upper(v)) REFERENCES p (code))',
    ['p', 'c'],
    /table "c": its foreign key \(g\) includes generated column "g".*or drop the foreign key/,
  ],
  [
    'a key column declared COLLATE NOCASE',
    'CREATE TABLE k (id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, v TEXT)',
    ['k'],
    /table "k": key column "id" has COLLATE NOCASE: .*'K1' and 'k1'.*drop the COLLATE from the key.*UNIQUE column with COLLATE NOCASE beside a BINARY key/,
  ],
  ['a key column made RTRIM in a table-level PRIMARY KEY', 'CREATE TABLE k (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b COLLATE RTRIM))', ['k'], /table "k": key column "b" has COLLATE RTRIM/],
  ['a WITHOUT ROWID table with a NOCASE key', 'CREATE TABLE k (id TEXT PRIMARY KEY COLLATE NOCASE, v TEXT) WITHOUT ROWID', ['k'], /table "k": key column "id" has COLLATE NOCASE/],
  ['a table whose name is empty', 'CREATE TABLE "" (id TEXT PRIMARY KEY NOT NULL)', [''], /table "": its name is empty.*rename it/],
  ['a column whose name is empty', 'CREATE TABLE e (id TEXT PRIMARY KEY NOT NULL, "" TEXT)', ['e'], /table "e": it has a column whose name is empty \(""\).*rename it/],
  [
    'a foreign key to a table that is not tracked',
    'CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id))',
    ['reports'],
    /table "reports": its foreign key \(team_id\) references table "teams", which is not tracked.*add "teams" to `tables`, or drop the foreign key/,
  ],
  [
    'a composite foreign key to a table that is not tracked (beside a tracked one)',
    'CREATE TABLE a (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE slots (m TEXT NOT NULL, s INTEGER NOT NULL, PRIMARY KEY (m, s)); CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, a_id TEXT REFERENCES a (id), m TEXT, s INTEGER, FOREIGN KEY (m, s) REFERENCES slots (m, s))',
    ['a', 'c'],
    /table "c": its foreign key \(m, s\) references table "slots", which is not tracked/,
  ],
  [
    'a TEMP table hiding the tracked one',
    'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); CREATE TEMP TABLE t (x TEXT PRIMARY KEY NOT NULL, y TEXT, z TEXT)',
    ['t'],
    /table "t": a TEMP table "t" on this connection hides it.*drop or rename the TEMP table/,
  ],
];

function refusal(run: () => unknown): SyncError {
  try {
    run();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('enableCapture refuses schemas whose constraints or names sync cannot keep the same everywhere', () => {
  it.each(REFUSALS)('refuses %s with CAPTURE_REFUSED naming the table and the column, and changes nothing', (_name, schema, tables, message) => {
    const temp = tempDb(schema);
    try {
      const before = dbDigest(temp.db);
      const error = refusal(() => enableCapture(temp.db, { tables }));
      expect(error.code).toBe('CAPTURE_REFUSED');
      expect(error.message).toMatch(message);
      expect(dbDigest(temp.db)).toBe(before);
    } finally {
      temp.cleanup();
    }
  });

  it('refuses a child whose foreign key a rename-to-a-backup migration took along to the backup (peers would show rows it keeps out)', () => {
    const temp = tempDb(TEST_SCHEMA);
    try {
      enableCapture(temp.db, { tables: ['teams', 'reports'] });
      temp.db.exec(`ALTER TABLE teams RENAME TO teams_backup; CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, rating REAL, logo BLOB);
        INSERT INTO teams SELECT * FROM teams_backup`);
      const before = dbDigest(temp.db);
      const error = refusal(() => enableCapture(temp.db, { tables: ['teams', 'reports'] }));
      expect(error.code).toBe('CAPTURE_REFUSED');
      expect(error.message).toMatch(/table "reports": its foreign key \(team_id\) references table "teams_backup", which is not tracked.*renamed away, ALTER TABLE … RENAME TO took this foreign key along/);
      expect(dbDigest(temp.db)).toBe(before);
    } finally {
      temp.cleanup();
    }
  });

  it('refuses them when the sync router starts, too', () => {
    const temp = tempDb('CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, b TEXT, g TEXT AS (upper(b)) VIRTUAL, UNIQUE (g))');
    try {
      const error = refusal(() => createSyncRouter({ token: TEST_TOKEN, database: temp.db, tables: ['u'] }));
      expect(error.code).toBe('CAPTURE_REFUSED');
      expect(error.message).toMatch(/table "u": its UNIQUE \(g\) includes generated column "g"/);
    } finally {
      temp.cleanup();
    }
  });
});

/** Two servers with `schema`, tracking `tables`. */
function pair(schema: string, tables: readonly string[]): { a: ReturnType<typeof tempDb>; b: ReturnType<typeof tempDb>; sync: () => void; cleanup: () => void } {
  const a = tempDb(schema);
  const b = tempDb(schema);
  try {
    const [ta, tb] = [enableCapture(a.db, { tables }), enableCapture(b.db, { tables })];
    return {
      a,
      b,
      sync: () => {
        pullAll(ta, tb);
        pullAll(tb, ta);
      },
      cleanup: () => {
        a.cleanup();
        b.cleanup();
      },
    };
  } catch (error) {
    a.cleanup();
    b.cleanup();
    throw error;
  }
}

describe('the allowed neighbours still sync', () => {
  it('plain generated columns (VIRTUAL and STORED, in no constraint) are computed on each server', () => {
    const servers = pair('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT, g TEXT AS (upper(v)) VIRTUAL, s INTEGER AS (length(v)) STORED, UNIQUE (v))', ['t']);
    try {
      servers.a.db.exec("INSERT INTO t (id, v) VALUES ('r1', 'abc')");
      servers.b.db.exec("INSERT INTO t (id, v) VALUES ('r2', 'hello')");
      servers.sync();
      const expected = [
        ['r1', 'abc', 'ABC', 3n],
        ['r2', 'hello', 'HELLO', 5n],
      ];
      expect(tableRows(servers.a.db, 't')).toEqual(expected);
      expect(tableRows(servers.b.db, 't')).toEqual(expected);
    } finally {
      servers.cleanup();
    }
  });

  it('a UNIQUE column with COLLATE NOCASE beside a BINARY key keeps one claim everywhere', () => {
    const servers = pair('CREATE TABLE tags (id TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL UNIQUE COLLATE NOCASE)', ['tags']);
    try {
      servers.a.db.exec("INSERT INTO tags VALUES ('k0', 'Gears')");
      servers.sync();
      servers.a.db.exec("INSERT INTO tags VALUES ('k1', 'Robots')");
      servers.b.db.exec("INSERT INTO tags VALUES ('k2', 'ROBOTS')");
      servers.sync();
      const rows = tableRows(servers.a.db, 'tags');
      expect(rows).toHaveLength(2);
      expect(rows[0]).toEqual(['k0', 'Gears']);
      expect(tableRows(servers.b.db, 'tags')).toEqual(rows);
    } finally {
      servers.cleanup();
    }
  });

  it('foreign keys between tracked tables (a parent spelled in another case, a self-reference) sync', () => {
    const schema = `
      CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
      CREATE TABLE people (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES Teams (id), mentor TEXT REFERENCES people (id));`;
    const servers = pair(schema, ['teams', 'people']);
    try {
      servers.a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots'); INSERT INTO people VALUES ('p1', 't1', NULL), ('p2', 't1', 'p1')");
      servers.sync();
      expect(tableRows(servers.b.db, 'people')).toEqual([
        ['p1', 't1', null],
        ['p2', 't1', 'p1'],
      ]);
    } finally {
      servers.cleanup();
    }
  });

  it('a TEMP table of another name changes nothing', () => {
    const temp = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); CREATE TEMP TABLE scratch (x TEXT)');
    try {
      expect(enableCapture(temp.db, { tables: ['t'] }).info().tables).toEqual(['t']);
    } finally {
      temp.cleanup();
    }
  });
});

describe('trackTable', () => {
  it('throws on a constraint naming a column it does not track, instead of dropping the name', () => {
    const column = { name: 'id', type: 'TEXT', pk: 1, notNull: true };
    const schema = { name: 'u', columns: [column], key: [column], foreignKeys: [], uniques: [{ columns: ['g'], collations: ['BINARY'] }] };
    expect(() => trackTable(1, schema, new Map([['id', 0]]))).toThrow(/internal error: a constraint of u names "g", which is not a tracked column/);
  });
});
