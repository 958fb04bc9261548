import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

const SCHEMA = 'CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT, code TEXT UNIQUE);';
const TABLES = { tables: ['teams'] };
type Server = TempDb & { tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, TABLES) };
}
function exchange(a: Server, b: Server): void {
  for (let round = 0; round < 2; round += 1) {
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
  }
}
const rows = (db: Database.Database): unknown[] => db.prepare('SELECT * FROM teams ORDER BY id').all();

/** A holds t3 with code 'x', B wrote t4 with 'x' later: t4 is parked on both, its name 'D' kept with it. */
function oneParkedRow(): [Server, Server] {
  const [a, b] = [server(), server()];
  a.db.exec("INSERT INTO teams VALUES ('t3', 'C', 'x')");
  nextMillisecond();
  b.db.exec("INSERT INTO teams VALUES ('t4', 'D', 'x')");
  exchange(a, b);
  for (const s of [a, b]) expect(s.tracker.listConflicts().map((entry) => entry.key)).toEqual([['t4']]);
  return [a, b];
}

describe('a column renamed (ALTER TABLE … RENAME COLUMN) while a row is parked', () => {
  let servers: Server[] = [];
  afterEach(() => {
    for (const s of servers) s.cleanup();
    servers = [];
  });

  it.each([
    ['with the servers stopped', false],
    ['on a running server (SCHEMA_CHANGED, then the restart)', true],
  ])('%s: the parked row keeps its value under the new name and comes back with it on every server', (_name, live) => {
    const [a, b] = oneParkedRow();
    servers = [a, b];
    for (const s of [a, b]) {
      s.db.exec('ALTER TABLE teams RENAME COLUMN name TO title');
      if (live) expect(() => s.tracker.fold()).toThrow(expect.objectContaining({ code: 'SCHEMA_CHANGED' }) as Error);
      s.tracker = enableCapture(s.db, TABLES);
    }
    const conflicts = (s: Server): unknown[] => s.tracker.listConflicts().map(({ at: _at, ...rest }) => rest); // 'at': when each server parked it
    expect(conflicts(a)).toEqual(conflicts(b));
    a.db.exec("DELETE FROM teams WHERE id = 't3'"); // what kept t4 out is gone
    exchange(a, b);
    for (const s of [a, b]) {
      expect(rows(s.db)).toEqual([{ id: 't4', title: 'D', code: 'x' }]);
      expect(s.tracker.conflictCount()).toBe(0);
    }
  });
});
