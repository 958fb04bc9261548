import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { pullAll, trackedDb } from '../../helpers/data';

const TABLES = { tables: ['teams', 'reports'] };

function teams(db: Database.Database): unknown[] {
  return db.prepare('SELECT * FROM teams ORDER BY id').all();
}

/** The two ways docs/PROTOCOL.md ("Schema fingerprint") gives to drop a column of a tracked table, server stopped. */
describe('dropping a column of a tracked table, as documented', () => {
  it('DROP COLUMN alone fails on the triggers; a rebuild on one server and "drop the _sync_ triggers, then DROP COLUMN" on the other both sync on', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.exec("INSERT INTO teams (id, name, rating) VALUES ('t1', 'one', 1.5), ('t2', 'two', 2)");
      pullAll(a.tracker, b.tracker);
      expect(() => a.db.exec('ALTER TABLE teams DROP COLUMN rating')).toThrow(/error in trigger _sync_1_update after drop column/);
      const triggers = a.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'teams' AND name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().all() as string[];
      expect(triggers.length).toBeGreaterThan(0);
      for (const name of triggers) a.db.exec(`DROP TRIGGER "${name}"`);
      a.db.exec('ALTER TABLE teams DROP COLUMN rating');
      b.db.pragma('foreign_keys = OFF');
      b.db.exec(`BEGIN; CREATE TABLE teams_new (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, number INTEGER, logo BLOB);
        INSERT INTO teams_new (id, name, number, logo) SELECT id, name, number, logo FROM teams;
        DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams; COMMIT`);
      b.db.pragma('foreign_keys = ON');
      const [ta, tb] = [enableCapture(a.db, TABLES), enableCapture(b.db, TABLES)];
      a.db.exec("UPDATE teams SET name = 'ONE' WHERE id = 't1'");
      b.db.exec("UPDATE teams SET number = 7 WHERE id = 't2'");
      pullAll(ta, tb);
      pullAll(tb, ta);
      const expected = [{ id: 't1', name: 'ONE', number: null, logo: null }, { id: 't2', name: 'two', number: 7, logo: null }];
      for (const server of [a, b]) {
        expect(teams(server.db)).toEqual(expected);
        expect(server.db.prepare('SELECT count(*) FROM _sync_rows WHERE cl % 2 = 0').pluck().get()).toBe(0); // nothing sent as a delete
      }
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
