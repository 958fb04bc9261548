import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, number INTEGER UNIQUE, name TEXT);
CREATE TABLE matches (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id) ON UPDATE CASCADE ON DELETE CASCADE, notes TEXT);
`;

type Server = TempDb & { tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['teams', 'matches'] }) };
}

function rows(s: Server, table: string): unknown[] {
  return s.db.prepare(`SELECT * FROM ${table} ORDER BY id`).all();
}

function conflicts(s: Server): unknown[] {
  return s.tracker.listConflicts().map(({ at: _at, ...entry }) => entry);
}

/** Every server pulls from every other, twice round. */
function exchange(...servers: Server[]): void {
  for (let round = 0; round < 2; round += 1) for (const to of servers) for (const from of servers) if (from !== to) pullAll(from.tracker, to.tracker);
}

describe('parked rows', () => {
  let a: Server;
  let b: Server;
  let c: Server;
  beforeEach(() => {
    [a, b, c] = [server(), server(), server()];
  });
  afterEach(() => [a, b, c].forEach((s) => s.cleanup()));

  it('keep syncing: the newer state of a parked row reaches every server (FOREIGN KEY)', () => {
    a.db.exec("INSERT INTO teams VALUES ('t', 971, 'Spartan'); INSERT INTO matches VALUES ('m', 't', 'first')");
    exchange(a, b, c);
    b.db.exec("DELETE FROM teams WHERE id = 't'"); // cascades to m on b
    a.db.exec("UPDATE matches SET notes = 'edited on A' WHERE id = 'm'");
    a.db.exec("INSERT INTO matches VALUES ('m2', 't', 'new on A')");
    exchange(a, b);
    // The delete of m wins over A's edit (causal length); m2, new on A, is parked everywhere.
    for (const s of [a, b]) expect(rows(s, 'matches')).toEqual([]);
    expect(conflicts(a)).toEqual(conflicts(b));
    expect(conflicts(a)).toEqual([expect.objectContaining({ key: ['m2'], reason: 'FOREIGN_KEY', parked: { id: 'm2', team_id: 't', notes: 'new on A' } })]);
    // A parked row's later edits still travel: resolve it by pointing it at a new team, on B.
    b.db.exec("INSERT INTO teams VALUES ('t2', 1114, 'Simbotics')");
    const [entry] = b.tracker.listConflicts();
    b.tracker.resolveConflict(entry!.id, { action: 'restore', values: { team_id: 't2', notes: 'moved on B' } });
    exchange(a, b, c);
    for (const s of [a, b, c]) {
      expect(rows(s, 'matches')).toEqual([{ id: 'm2', team_id: 't2', notes: 'moved on B' }]);
      expect(s.tracker.conflictCount()).toBe(0);
    }
  });

  it('keep syncing: the later edits of a row parked for UNIQUE reach a third server that pulls only from the parker', () => {
    a.db.exec("INSERT INTO teams VALUES ('ta', 971, 'from A')");
    nextMillisecond();
    b.db.exec("INSERT INTO teams VALUES ('tb', 971, 'from B')");
    pullAll(b.tracker, a.tracker); // A parks tb
    expect(a.tracker.listConflicts().map((entry) => entry.key)).toEqual([['tb']]);
    b.db.exec("UPDATE teams SET name = 'edited on B' WHERE id = 'tb'");
    pullAll(b.tracker, a.tracker); // the edit lands in A's parked copy
    pullAll(a.tracker, c.tracker); // C hears of tb only through A
    expect(rows(c, 'teams')).toEqual([{ id: 'ta', number: 971, name: 'from A' }]);
    expect(c.tracker.listConflicts()[0]?.parked).toEqual({ id: 'tb', number: 971, name: 'edited on B' });
  });

  it('come back by themselves when the holder lets the value go, on every server', () => {
    a.db.exec("INSERT INTO teams VALUES ('ta', 971, 'from A')");
    nextMillisecond();
    b.db.exec("INSERT INTO teams VALUES ('tb', 971, 'from B')");
    exchange(a, b);
    for (const s of [a, b]) expect(rows(s, 'teams')).toEqual([{ id: 'ta', number: 971, name: 'from A' }]);
    a.db.exec("UPDATE teams SET number = 9710 WHERE id = 'ta'");
    exchange(a, b);
    for (const s of [a, b]) {
      expect(rows(s, 'teams')).toEqual([
        { id: 'ta', number: 9710, name: 'from A' },
        { id: 'tb', number: 971, name: 'from B' },
      ]);
      expect(s.tracker.conflictCount()).toBe(0);
    }
  });

  it('a later claim never displaces the holder, whatever the order the changes arrive in', () => {
    a.db.exec("INSERT INTO teams VALUES ('ta', 1, 'first')");
    nextMillisecond();
    b.db.exec("INSERT INTO teams VALUES ('tb', 1, 'second')");
    pullAll(a.tracker, c.tracker);
    pullAll(b.tracker, c.tracker);
    const d = server();
    try {
      pullAll(b.tracker, d.tracker);
      pullAll(a.tracker, d.tracker);
      for (const s of [c, d]) expect(rows(s, 'teams')).toEqual([{ id: 'ta', number: 1, name: 'first' }]);
      expect(conflicts(c)).toEqual(conflicts(d));
    } finally {
      d.cleanup();
    }
  });
});
