import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/** Parents with a key and a UNIQUE code; children by key, by code, and with a composite key. */
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE, name TEXT);
CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id), note TEXT);
CREATE INDEX reports_team ON reports (team_id);
CREATE TABLE badges (id TEXT PRIMARY KEY NOT NULL, team_code TEXT REFERENCES teams (code));
CREATE TABLE slots (match TEXT NOT NULL, seat INTEGER NOT NULL, team_id TEXT REFERENCES teams (id), PRIMARY KEY (match, seat));
CREATE TABLE ratings (id TEXT PRIMARY KEY NOT NULL, report_id TEXT REFERENCES reports (id) ON DELETE CASCADE, stars INTEGER);
CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, report_id TEXT REFERENCES reports (id), body TEXT);
CREATE TABLE people (id TEXT PRIMARY KEY NOT NULL, mentor TEXT REFERENCES people (id));
`;
const TABLES = ['teams', 'reports', 'badges', 'slots', 'ratings', 'notes', 'people'];

interface Server extends TempDb {
  readonly tracker: ChangeTracker;
}

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
}

/** What a user sees, and the conflicts list, table by table. */
function state(s: Server): unknown {
  const rows = Object.fromEntries(TABLES.map((table) => [table, s.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()]));
  const conflicts = s.tracker.listConflicts().map(({ table, key, reason }) => ({ table, key, reason }));
  return { rows, conflicts };
}

/** Runs SQL on another connection with foreign keys off, as the `sqlite3` shell does by default. */
function shell(s: Server, sql: string): void {
  const other = s.connect();
  other.pragma('foreign_keys = OFF');
  other.exec(sql);
}

describe('writes made with foreign keys off (the sqlite3 shell) leave no orphan visible on their own server', () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    a = server();
    b = server();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'c1', 'Robots'), ('t2', 'c2', 'Gears')");
    a.db.exec("INSERT INTO reports VALUES ('r1', 't1', 'fast'); INSERT INTO badges VALUES ('b1', 'c1'); INSERT INTO slots VALUES ('Q1', 1, 't1')");
    a.db.exec("INSERT INTO ratings VALUES ('s1', 'r1', 5); INSERT INTO notes VALUES ('n1', 'r1', 'quick')");
    a.db.exec("INSERT INTO people VALUES ('p1', NULL), ('p2', 'p1'), ('p3', 'p2')");
    pullAll(a.tracker, b.tracker);
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  function converge(): void {
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
    expect(state(a)).toEqual(state(b));
  }

  it('parks the children of a parent deleted with foreign keys off, on the origin as on its peers', () => {
    shell(a, "DELETE FROM teams WHERE id = 't1'");
    a.tracker.fold();
    // The report's own children (one by ON DELETE CASCADE, one without an action) are parked with it, not deleted.
    expect(state(a)).toMatchObject({ rows: { reports: [], badges: [], slots: [], ratings: [], notes: [] } });
    expect(a.db.pragma('foreign_key_check')).toEqual([]);
    expect(a.tracker.listConflicts().map(({ table, reason }) => [table, reason]).sort()).toEqual([
      ['badges', 'FOREIGN_KEY'],
      ['notes', 'FOREIGN_KEY'],
      ['ratings', 'FOREIGN_KEY'],
      ['reports', 'FOREIGN_KEY'],
      ['slots', 'FOREIGN_KEY'],
    ]);
    converge();
  });

  it('parks a child inserted with foreign keys off under a missing parent (a bulk load), one-column and composite keys', () => {
    shell(a, "INSERT INTO reports VALUES ('r2', 'nobody', 'x'); INSERT INTO slots VALUES ('Q2', 1, 'nobody'); INSERT INTO reports VALUES ('r3', 't2', 'ok')");
    a.tracker.fold();
    expect(a.db.pragma('foreign_key_check')).toEqual([]);
    expect(a.tracker.listConflicts().map(({ table, key }) => [table, key])).toEqual(expect.arrayContaining([['reports', ['r2']], ['slots', ['Q2', 1]]]));
    expect(a.db.prepare('SELECT id FROM reports ORDER BY id').pluck().all()).toEqual(['r1', 'r3']);
    converge();
  });

  it('parks a child re-pointed with foreign keys off at a missing parent', () => {
    shell(a, "UPDATE reports SET team_id = 'nobody' WHERE id = 'r1'");
    a.tracker.fold();
    expect(a.db.pragma('foreign_key_check')).toEqual([]);
    expect(a.tracker.listConflicts().map(({ key }) => key[0]).sort()).toEqual(['n1', 'r1', 's1']); // the report, then its own children
    converge();
  });

  it('brings the children back when the parent is written again', () => {
    shell(a, "DELETE FROM teams WHERE id = 't1'");
    a.tracker.fold();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'c1', 'Robots again')");
    a.tracker.fold();
    expect(a.tracker.listConflicts()).toEqual([]);
    expect(a.db.prepare('SELECT count(*) FROM reports').pluck().get()).toBe(1);
    expect(a.db.prepare('SELECT count(*) FROM ratings').pluck().get()).toBe(1);
    converge();
  });

  it('parks them also when the fold runs inside a read of changes (as a peer pulls)', () => {
    shell(a, "DELETE FROM teams WHERE id = 't1'");
    pullAll(a.tracker, b.tracker);
    expect(a.tracker.listConflicts()).toHaveLength(5);
    converge();
  });

  it('parks a self-referencing chain whose head was deleted with foreign keys off', () => {
    shell(a, "DELETE FROM people WHERE id = 'p1'");
    a.tracker.fold();
    expect(a.db.prepare('SELECT id FROM people').pluck().all()).toEqual([]);
    expect(a.tracker.listConflicts().map(({ key }) => key[0]).sort()).toEqual(['p2', 'p3']);
    converge();
  });

  it('parks the children of a parent whose referenced UNIQUE column changed with foreign keys off', () => {
    shell(a, "UPDATE teams SET code = 'c9' WHERE id = 't1'");
    a.tracker.fold();
    expect(a.db.pragma('foreign_key_check')).toEqual([]);
    expect(a.tracker.listConflicts().map(({ table, key }) => [table, key])).toEqual([['badges', ['b1']]]);
    converge();
  });

  it('parks what a shell write left while the server was stopped, at its next start', () => {
    a.db.close();
    const offline = new Database(a.file);
    offline.pragma('foreign_keys = OFF'); // as in the sqlite3 shell
    offline.exec("DELETE FROM teams WHERE id = 't1'");
    offline.close();
    const restarted = new Database(a.file);
    restarted.pragma('foreign_keys = ON');
    try {
      const tracker = enableCapture(restarted, { tables: TABLES });
      expect(restarted.pragma('foreign_key_check')).toEqual([]);
      expect(tracker.listConflicts().map(({ table }) => table).sort()).toEqual(['badges', 'notes', 'ratings', 'reports', 'slots']);
      pullAll(tracker, b.tracker);
      pullAll(b.tracker, tracker);
      expect(b.tracker.listConflicts().map(({ table }) => table).sort()).toEqual(['badges', 'notes', 'ratings', 'reports', 'slots']);
    } finally {
      restarted.close();
    }
  });

  it('leaves rows alone when the writes kept every foreign key', () => {
    shell(a, "DELETE FROM teams WHERE id = 't2'; INSERT INTO reports VALUES ('r4', 't1', 'fine'); UPDATE reports SET note = 'edited' WHERE id = 'r1'");
    a.tracker.fold();
    expect(a.tracker.listConflicts()).toEqual([]);
    expect(a.db.prepare('SELECT count(*) FROM reports').pluck().get()).toBe(2);
    converge();
  });
});
