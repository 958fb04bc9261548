import type { WireChangeset } from '../../../lib/data/changeset';
import { settledState, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Helper ae5: the end-of-page foreign-key check looks each distinct parent up
 * once. A multi-column foreign key's values were named by `rowRef`, which names
 * INTEGER 1 and REAL 1.0 alike (one row key in a column without affinity), but
 * a TEXT parent column tells them apart as SQLite's own check does ('1' is not
 * '1.0'). Two rows of one page pointing at (1, 'x') and (1.0, 'x') shared one
 * lookup: the second row, an orphan, was not checked, and stayed visible.
 * Both declaration orders: the other foreign key of the first row (its parent
 * missing) decides whether the first row's values are looked up at all.
 */
const SCHEMAS = [
  [
    'the pair declared last',
    `CREATE TABLE q (id TEXT PRIMARY KEY NOT NULL);
     CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, UNIQUE (a, b));
     CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, q TEXT REFERENCES q (id), a, b, FOREIGN KEY (a, b) REFERENCES p (a, b));`,
  ],
  [
    'the pair declared first',
    `CREATE TABLE q (id TEXT PRIMARY KEY NOT NULL);
     CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, UNIQUE (a, b));
     CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, a, b, q TEXT, FOREIGN KEY (a, b) REFERENCES p (a, b), FOREIGN KEY (q) REFERENCES q (id));`,
  ],
] as const;

const TABLES = ['q', 'p', 'c'];

describe.each(SCHEMAS)('a page with children of (1, x) and (1.0, x) under TEXT parent columns, %s', (_, schema) => {
  const servers: TrackedServer[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.cleanup();
  });

  it('parks the child whose REAL 1.0 matches no parent, as SQLite does', () => {
    const a = trackedServer(schema, TABLES);
    const b = trackedServer(schema, TABLES);
    servers.push(a, b);
    a.db.exec(`
      INSERT INTO q VALUES ('q1');
      INSERT INTO p VALUES ('p1', '1', 'x'), ('p2', '1.0', 'x');
      INSERT INTO c (id, q, a, b) VALUES ('c1', 'q1', 1, 'x');
      INSERT INTO c (id, q, a, b) VALUES ('c2', NULL, 1.0, 'x');
    `);
    expect(a.db.prepare('SELECT id, typeof(a) AS t FROM c ORDER BY id').all()).toEqual([
      { id: 'c1', t: 'integer' },
      { id: 'c2', t: 'real' },
    ]);
    const page = a.tracker.readChanges(0, 100);
    // b receives p1 and both children, not q1 nor p2: c1 has no parent q1, c2 no parent (1.0, x).
    const sent: WireChangeset = { ...page, changes: page.changes.filter((change) => !(change.table === 'q' || (change.table === 'p' && change.key[0] === 'p2'))) };
    expect(sent.changes.map((change) => `${change.table}:${String(change.key[0])}`)).toEqual(['p:p1', 'c:c1', 'c:c2']);
    b.tracker.applyChangeset(sent);
    expect(b.db.pragma('foreign_key_check')).toEqual([]);
    expect(settledState(b, 'c')).toEqual({ visible: [], parked: ['c1:FOREIGN_KEY', 'c2:FOREIGN_KEY'] });
  });
});

it('parks a child whose two-column parent is spelled as another, present one is when joined with "|" (rowRef)', () => {
  const schema = `CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, UNIQUE (a, b));
    CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, a TEXT, b TEXT, FOREIGN KEY (a, b) REFERENCES p (a, b));`;
  const a = trackedServer(schema, ['p', 'c']);
  const b = trackedServer(schema, ['p', 'c']);
  try {
    a.db.exec(`
      INSERT INTO p VALUES ('p1', 'a|string:b', 'c'), ('p2', 'a', 'b|string:c');
      INSERT INTO c VALUES ('c1', 'a|string:b', 'c'), ('c2', 'a', 'b|string:c');
    `);
    const page = a.tracker.readChanges(0, 100);
    const sent: WireChangeset = { ...page, changes: page.changes.filter((change) => !(change.table === 'p' && change.key[0] === 'p2')) };
    expect(sent.changes.map((change) => `${change.table}:${String(change.key[0])}`)).toEqual(['p:p1', 'c:c1', 'c:c2']);
    b.tracker.applyChangeset(sent);
    expect(b.db.pragma('foreign_key_check')).toEqual([]);
    expect(settledState(b, 'c')).toEqual({ visible: ['c1'], parked: ['c2:FOREIGN_KEY'] });
  } finally {
    a.cleanup();
    b.cleanup();
  }
});
