import { pullAll } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Helper y5: a row parked for FOREIGN_KEY whose parent is parked for
 * FOREIGN_KEY too (both left with a grandparent) was paired with that parent
 * by comparing the two parked (untyped) values as they are: no affinity, BINARY.
 * SQLite's own check applies the PARENT column's affinity and collation to the
 * child's value, so when the grandparent came back, the parent came back and a
 * child SQLite pairs with it (2024 under the TEXT '2024', '02024' under the
 * INTEGER 2024, 'rust' under the NOCASE 'Rust') stayed parked until some later
 * batch ranked it against the now visible parent: right after the batch, the
 * server differed from a fresh one that pulled everything.
 */
interface Case {
  readonly name: string;
  /** The declared type (and collation) of the referenced column `tags.code`. */
  readonly parentColumn: string;
  /** The declared type of the child column `post_tags.tag`. */
  readonly childColumn: string;
  /** SQL literals: the parent's value and a child value SQLite's check takes as pointing at it. */
  readonly parentValue: string;
  readonly childValue: string;
  /** The foreign key points at the parent's primary key rather than a UNIQUE column. */
  readonly toKey?: boolean;
}

const CASES: readonly Case[] = [
  { name: "child TEXT holding 'x', parent TEXT 'x' (same form: it came back before too)", parentColumn: 'TEXT', childColumn: 'TEXT', parentValue: "'x'", childValue: "'x'" },
  { name: 'child without affinity holding 2024, parent TEXT', parentColumn: 'TEXT', childColumn: '', parentValue: "'2024'", childValue: '2024' },
  { name: "child TEXT holding '02024', parent INTEGER", parentColumn: 'INTEGER', childColumn: 'TEXT', parentValue: '2024', childValue: "'02024'" },
  { name: "child TEXT (BINARY) holding 'rust', parent TEXT COLLATE NOCASE", parentColumn: 'TEXT COLLATE NOCASE', childColumn: 'TEXT', parentValue: "'Rust'", childValue: "'rust'" },
  { name: "child TEXT holding 'rust  ', parent TEXT COLLATE RTRIM", parentColumn: 'TEXT COLLATE RTRIM', childColumn: 'TEXT', parentValue: "'rust'", childValue: "'rust  '" },
  { name: 'child without affinity holding 1e20, parent TEXT COLLATE NOCASE', parentColumn: 'TEXT COLLATE NOCASE', childColumn: '', parentValue: "'1.0E+20'", childValue: '1e20' },
  { name: "child TEXT holding '2024', parent REAL", parentColumn: 'REAL', childColumn: 'TEXT', parentValue: '2024', childValue: "'2024'" },
  { name: "child TEXT holding '2.5e0', parent NUMERIC", parentColumn: 'NUMERIC', childColumn: 'TEXT', parentValue: '2.5', childValue: "'2.5e0'" },
  { name: 'child INTEGER holding 2024, parent TEXT', parentColumn: 'TEXT', childColumn: 'INTEGER', parentValue: "'2024'", childValue: '2024' },
  { name: 'child without affinity holding 2024, parent TEXT primary key', parentColumn: 'TEXT', childColumn: '', parentValue: "'2024'", childValue: '2024', toKey: true },
];

function schemaOf(c: Case): string {
  const tags = c.toKey === true
    ? `CREATE TABLE tags (code ${c.parentColumn} PRIMARY KEY NOT NULL, id TEXT UNIQUE, gid TEXT REFERENCES g (id));`
    : `CREATE TABLE tags (id TEXT PRIMARY KEY NOT NULL, code ${c.parentColumn} UNIQUE, gid TEXT REFERENCES g (id));`;
  return `
CREATE TABLE g (id TEXT PRIMARY KEY NOT NULL);
${tags}
CREATE TABLE post_tags (id TEXT PRIMARY KEY NOT NULL, tag ${c.childColumn} REFERENCES tags (code));
CREATE INDEX post_tags_tag ON post_tags (tag);
`;
}

const TABLES = ['g', 'tags', 'post_tags'];

/** What the user sees and what the conflicts list says, every table. */
function state(s: TrackedServer): unknown {
  return { g: settledState(s, 'g'), tags: settledState(s, 'tags'), postTags: settledState(s, 'post_tags') };
}

/** Writes SQL with foreign keys off, as the `sqlite3` shell does, and lets the tracker fold it. */
function shell(s: TrackedServer, sql: string): void {
  s.db.pragma('foreign_keys = OFF');
  s.db.exec(sql);
  s.db.pragma('foreign_keys = ON');
  s.tracker.fold();
}

/** Everything below the grandparent parked (the conflicts list names a row by its key: the tag's code when it is the key). */
function allParked(c: Case): unknown {
  const tag = c.toKey === true ? '2024' : 't1';
  return { g: { visible: [], parked: [] }, tags: { visible: [], parked: [`${tag}:FOREIGN_KEY`] }, postTags: { visible: [], parked: ['p1:FOREIGN_KEY'] } };
}

const ALL_BACK = { g: { visible: ['g1'], parked: [] }, tags: { visible: ['t1'], parked: [] }, postTags: { visible: ['p1'], parked: [] } };

describe.each(CASES)('a parked child whose parked parent comes back, $name', (c) => {
  const servers: TrackedServer[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.cleanup();
  });

  function serverWithRows(): TrackedServer {
    const s = trackedServer(schemaOf(c), TABLES);
    servers.push(s);
    s.db.exec(`INSERT INTO g VALUES ('g1'); INSERT INTO tags (id, code, gid) VALUES ('t1', ${c.parentValue}, 'g1'); INSERT INTO post_tags VALUES ('p1', ${c.childValue})`);
    return s;
  }

  /** Right after the batch that brought the grandparent back: as a fresh server that pulled everything, and as SQLite's own check. */
  function expectSettledNow(s: TrackedServer): void {
    expect(state(s)).toEqual(ALL_BACK);
    expect(s.db.pragma('foreign_key_check')).toEqual([]);
    const fresh = trackedServer(schemaOf(c), TABLES);
    servers.push(fresh);
    pullAll(s.tracker, fresh.tracker);
    expect(state(fresh)).toEqual(state(s));
  }

  it('comes back in the same batch when a local write brings the grandparent back', () => {
    const a = serverWithRows();
    shell(a, "DELETE FROM g WHERE id = 'g1'");
    expect(state(a)).toEqual(allParked(c));
    nextMillisecond();
    a.db.exec("INSERT INTO g VALUES ('g1')");
    a.tracker.readChanges(0, 1); // folds the local write: one batch
    expectSettledNow(a);
  });

  it('comes back in the same batch when a page from a peer brings the grandparent back', () => {
    const a = serverWithRows();
    const b = trackedServer(schemaOf(c), TABLES);
    servers.push(b);
    syncBoth(a, b);
    shell(a, "DELETE FROM g WHERE id = 'g1'");
    syncBoth(a, b);
    expect(state(b)).toEqual(allParked(c));
    nextMillisecond();
    a.db.exec("INSERT INTO g VALUES ('g1')");
    a.tracker.fold();
    const page = a.tracker.readChanges(b.tracker.pullCursor(a.tracker.siteId), 1000, b.tracker.siteId);
    expect(page.more).toBe(false);
    b.tracker.applyChangeset(page); // one page, one batch
    expectSettledNow(b);
  });
});
