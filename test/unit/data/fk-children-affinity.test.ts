import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Helper y1: when a parent row left, the children to check were looked up as
 * `child_column = <parent value>`, which applies the CHILD column's affinity
 * and collation. SQLite's foreign-key check applies the PARENT column's to the
 * child value, so a child SQLite accepts (it inserted it with foreign keys on)
 * was not found: it stayed visible under a parent that was gone, on one
 * server, while a server that met the child after the delete parked it.
 * Each case is a parent column and a child column SQLite takes as a match.
 */
interface Case {
  readonly name: string;
  readonly parentColumn: string;
  readonly childColumn: string;
  /** SQL literals: the parent's value and a child value SQLite's check takes as pointing at it. */
  readonly parentValue: string;
  readonly childValue: string;
}

const CASES: readonly Case[] = [
  { name: 'child without affinity holding 2024, parent TEXT', parentColumn: 'TEXT', childColumn: '', parentValue: "'2024'", childValue: '2024' },
  { name: 'child without affinity holding 1e20, parent TEXT', parentColumn: 'TEXT', childColumn: 'BLOB', parentValue: "'1.0e+20'", childValue: '1e20' },
  { name: "child without affinity holding '2024', parent INTEGER", parentColumn: 'INTEGER', childColumn: '', parentValue: '2024', childValue: "'2024'" },
  { name: "child TEXT holding '02024', parent INTEGER", parentColumn: 'INTEGER', childColumn: 'TEXT', parentValue: '2024', childValue: "'02024'" },
  { name: "child TEXT holding ' 2024', parent INTEGER", parentColumn: 'INTEGER', childColumn: 'TEXT', parentValue: '2024', childValue: "' 2024'" },
  { name: "child TEXT holding '2024', parent REAL", parentColumn: 'REAL', childColumn: 'TEXT', parentValue: '2024', childValue: '2024' },
  { name: "child TEXT holding '2.5e0', parent NUMERIC", parentColumn: 'NUMERIC', childColumn: 'TEXT', parentValue: '2.5', childValue: "'2.5e0'" },
  { name: "child TEXT holding 'rust', parent TEXT COLLATE NOCASE", parentColumn: 'TEXT COLLATE NOCASE', childColumn: 'TEXT', parentValue: "'Rust'", childValue: "'rust'" },
  { name: "child TEXT holding 'rust  ', parent TEXT COLLATE RTRIM", parentColumn: 'TEXT COLLATE RTRIM', childColumn: 'TEXT', parentValue: "'rust'", childValue: "'rust  '" },
  { name: 'child INTEGER holding 2024, parent TEXT', parentColumn: 'TEXT', childColumn: 'INTEGER', parentValue: "'2024'", childValue: '2024' },
  { name: 'child REAL holding 0.1 + 0.2, parent TEXT', parentColumn: 'TEXT', childColumn: 'REAL', parentValue: "'0.30000000000000004'", childValue: '0.1 + 0.2' },
  { name: "child without affinity holding 'x', parent INTEGER holding 'x'", parentColumn: 'INTEGER', childColumn: '', parentValue: "'x'", childValue: "'x'" },
  { name: 'child without affinity holding x\'00ff\', parent TEXT', parentColumn: 'TEXT', childColumn: '', parentValue: "x'00ff'", childValue: "x'00ff'" },
  { name: "child without affinity holding 2024.0, parent TEXT '2024.0'", parentColumn: 'TEXT', childColumn: '', parentValue: "'2024.0'", childValue: '2024.0' },
  { name: "child without affinity holding -0.0, parent TEXT '0.0'", parentColumn: 'TEXT', childColumn: '', parentValue: "'0.0'", childValue: '-0.0' },
  { name: "child without affinity holding ' 2024', parent TEXT", parentColumn: 'TEXT', childColumn: '', parentValue: "' 2024'", childValue: "' 2024'" },
  { name: "child TEXT holding '16.0', parent INTEGER", parentColumn: 'INTEGER', childColumn: 'TEXT', parentValue: '16', childValue: "'16.0'" },
  { name: "child TEXT holding '0x10', parent INTEGER holding '0x10'", parentColumn: 'INTEGER', childColumn: 'TEXT', parentValue: "'0x10'", childValue: "'0x10'" },
  { name: 'child without affinity holding 1e20, parent TEXT COLLATE NOCASE', parentColumn: 'TEXT COLLATE NOCASE', childColumn: '', parentValue: "'1.0E+20'", childValue: '1e20' },
  { name: 'child TEXT holding text with a NUL, parent TEXT', parentColumn: 'TEXT', childColumn: 'TEXT', parentValue: "'a' || char(0) || 'b'", childValue: "'a' || char(0) || 'b'" },
];

function schemaOf(c: Case): string {
  return `
CREATE TABLE tags (id TEXT PRIMARY KEY NOT NULL, code ${c.parentColumn} UNIQUE);
CREATE TABLE post_tags (id TEXT PRIMARY KEY NOT NULL, tag ${c.childColumn} REFERENCES tags (code));
CREATE INDEX post_tags_tag ON post_tags (tag);
`;
}

const TABLES = ['tags', 'post_tags'];

/** What the user sees and what the conflicts list says, both tables. */
function state(s: TrackedServer): unknown {
  return { tags: settledState(s, 'tags'), postTags: settledState(s, 'post_tags') };
}

/** Writes SQL with foreign keys off, as the `sqlite3` shell does, and lets the tracker fold it. */
function shell(s: TrackedServer, sql: string): void {
  s.db.pragma('foreign_keys = OFF');
  s.db.exec(sql);
  s.db.pragma('foreign_keys = ON');
  s.tracker.fold();
}

describe.each(CASES)('the children of a parent that left, $name', (c) => {
  const servers: TrackedServer[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.cleanup();
  });

  function twoServers(): [TrackedServer, TrackedServer] {
    const pair: [TrackedServer, TrackedServer] = [trackedServer(schemaOf(c), TABLES), trackedServer(schemaOf(c), TABLES)];
    servers.push(...pair);
    return pair;
  }

  function expectSettledAlike(a: TrackedServer, b: TrackedServer): void {
    expect(state(a)).toEqual(state(b));
    for (const s of [a, b]) expect(s.db.pragma('foreign_key_check')).toEqual([]);
    expect(state(a)).toEqual({ tags: { visible: [], parked: [] }, postTags: { visible: [], parked: ['p1:FOREIGN_KEY'] } });
  }

  it('are parked when a peer deletes the parent while the child is written (two servers end alike)', () => {
    const [a, b] = twoServers();
    a.db.exec(`INSERT INTO tags VALUES ('t1', ${c.parentValue})`);
    syncBoth(a, b);
    a.db.exec(`INSERT INTO post_tags VALUES ('p1', ${c.childValue})`); // SQLite's foreign key (on) takes it
    b.db.exec("DELETE FROM tags WHERE id = 't1'"); // no child on b yet
    syncBoth(a, b);
    expectSettledAlike(a, b);
  });

  it('are parked when the parent is deleted locally with foreign keys off', () => {
    const [a, b] = twoServers();
    a.db.exec(`INSERT INTO tags VALUES ('t1', ${c.parentValue}); INSERT INTO post_tags VALUES ('p1', ${c.childValue})`);
    syncBoth(a, b);
    shell(a, "DELETE FROM tags WHERE id = 't1'");
    expect(settledState(a, 'post_tags')).toEqual({ visible: [], parked: ['p1:FOREIGN_KEY'] });
    syncBoth(a, b);
    expectSettledAlike(a, b);
  });

  it('are parked when the parent is deleted locally with foreign keys on, unless SQLite refuses the delete', () => {
    const [a, b] = twoServers();
    a.db.exec(`INSERT INTO tags VALUES ('t1', ${c.parentValue}); INSERT INTO post_tags VALUES ('p1', ${c.childValue})`);
    syncBoth(a, b);
    let refused = false;
    try {
      a.db.exec("DELETE FROM tags WHERE id = 't1'");
    } catch (error) {
      expect((error as { code?: unknown }).code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
      refused = true;
    }
    // SQLite's own delete check compares the other way round and misses the child of some mixes (no affinity under TEXT): it is parked.
    a.tracker.fold();
    syncBoth(a, b);
    if (!refused) return expectSettledAlike(a, b);
    expect(state(a)).toEqual(state(b));
    expect(settledState(a, 'post_tags')).toEqual({ visible: ['p1'], parked: [] });
  });
});
