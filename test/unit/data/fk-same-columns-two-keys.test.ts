import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Two foreign keys from the same column to two columns of one parent table:
 * each is checked against its own parent column (their statements were once
 * cached under one name, so the second key was checked as the first).
 */
const SCHEMA = `
CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE);
CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, a TEXT REFERENCES p (id), FOREIGN KEY (a) REFERENCES p (code));
`;

const server = (): TrackedServer => trackedServer(SCHEMA, ['p', 'c']);
const state = (s: TrackedServer): ReturnType<typeof settledState> => settledState(s, 'c');

it.each([
  ['the parent by code', "DELETE FROM p WHERE id = 'x'"],
  ['the parent by id', "DELETE FROM p WHERE id = 'y'"],
])('a child loses %s: parked on every server', (_, deletion) => {
  const a = server();
  const b = server();
  const fresh = server();
  try {
    a.db.exec("INSERT INTO p VALUES ('x', 'y'), ('y', 'z'); INSERT INTO c VALUES ('c1', 'y')");
    syncBoth(a, b);
    b.db.pragma('foreign_keys = OFF'); // as the sqlite3 shell: the orphan is parked at the fold
    b.db.exec(deletion);
    b.db.pragma('foreign_keys = ON');
    b.tracker.readChanges(0, 1);
    expect(b.db.pragma('foreign_key_check')).toEqual([]);
    syncBoth(a, b);
    pullAll(b.tracker, fresh.tracker);
    for (const s of [a, b, fresh]) {
      expect(state(s)).toEqual({ visible: [], parked: ['c1:FOREIGN_KEY'] });
      expect(s.db.pragma('foreign_key_check')).toEqual([]);
    }
  } finally {
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  }
});
