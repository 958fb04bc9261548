import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, number INTEGER UNIQUE, name TEXT);
CREATE TABLE matches (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id) ON DELETE CASCADE, label TEXT);
CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id) ON DELETE SET NULL, body TEXT);
`;

type Server = TempDb & { tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['teams', 'matches', 'notes'] }) };
}

/** Live rows the metadata knows for a table. */
function liveInMetadata(s: Server, table: string): string[] {
  return s.db
    .prepare('SELECT r.pk FROM _sync_rows r JOIN _sync_tables t ON t.id = r.tbl WHERE t.name = ? AND r.cl % 2 = 1 ORDER BY r.pk')
    .pluck()
    .all(table) as string[];
}

function ids(s: Server, table: string): string[] {
  return s.db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as string[];
}

const WRITES: ReadonlyArray<readonly [string, string]> = [
  ['INSERT OR REPLACE through a UNIQUE column', "INSERT OR REPLACE INTO teams VALUES ('t3', 1, 'replaces t1')"],
  ['REPLACE INTO through a UNIQUE column', "REPLACE INTO teams VALUES ('t3', 1, 'replaces t1')"],
  ['UPDATE OR REPLACE onto a UNIQUE value', "UPDATE OR REPLACE teams SET number = 1 WHERE id = 't2'"],
  ['INSERT … ON CONFLICT DO UPDATE (no deletion)', "INSERT INTO teams VALUES ('t1', 1, 'upserted') ON CONFLICT (id) DO UPDATE SET name = excluded.name"],
  ['INSERT OR IGNORE that ignores (no deletion)', "INSERT OR IGNORE INTO teams VALUES ('t3', 1, 'ignored')"],
  ['DELETE of a parent with ON DELETE CASCADE and SET NULL children', "DELETE FROM teams WHERE id = 't1'"],
];

describe.each([
  ['the tracker connection', false, false],
  ['a second connection', true, false],
  ['a second connection with recursive_triggers on', true, true],
])('capture sees every deletion, from %s', (_name, second, recursive) => {
  it.each(WRITES)('%s: the metadata matches the table, and a peer ends equal', (_write, sql) => {
    const [a, b] = [server(), server()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 1, 'one'), ('t2', 2, 'two'); INSERT INTO matches VALUES ('m1', 't1', 'Q1'); INSERT INTO notes VALUES ('n1', 't1', 'x')");
      pullAll(a.tracker, b.tracker);
      const writer = second ? new Database(a.file) : a.db;
      try {
        writer.pragma('foreign_keys = ON');
        if (recursive) writer.pragma('recursive_triggers = ON');
        writer.exec(sql);
      } finally {
        if (second) writer.close();
      }
      pullAll(a.tracker, b.tracker);
      for (const table of ['teams', 'matches', 'notes']) {
        expect(liveInMetadata(a, table)).toEqual(ids(a, table));
        expect(b.db.prepare(`SELECT * FROM ${table} ORDER BY id`).all()).toEqual(a.db.prepare(`SELECT * FROM ${table} ORDER BY id`).all());
      }
      expect(b.tracker.conflictCount()).toBe(0);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe('a REPLACE seen by a peer that edited the replaced row', () => {
  it('deletes it there too (a delete wins over an edit made without seeing it), with no ghost and no conflict', () => {
    const [a, b] = [server(), server()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 1, 'one')");
      pullAll(a.tracker, b.tracker);
      b.db.exec("UPDATE teams SET name = 'edited on B' WHERE id = 't1'");
      a.db.exec("INSERT OR REPLACE INTO teams VALUES ('t9', 1, 'replaces t1')");
      pullAll(a.tracker, b.tracker);
      pullAll(b.tracker, a.tracker);
      for (const s of [a, b]) {
        expect(ids(s, 'teams')).toEqual(['t9']);
        expect(liveInMetadata(s, 'teams')).toEqual(['t9']);
        expect(s.tracker.conflictCount()).toBe(0);
      }
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
