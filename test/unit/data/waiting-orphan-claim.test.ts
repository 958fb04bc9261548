import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

// A row parked for its missing parent keeps its UNIQUE values while it waits:
// a later claim of them is parked, on every server. A later claim written
// locally as a new row, on a server where nothing but inserts waited to be
// folded, went through the fold's set-based path for new rows, which told the
// constraint rules nothing: the row stayed visible there while every other
// server parked it (each showing different rows, for good).
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE robots (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id), serial TEXT UNIQUE);
`;

type Server = TempDb & { readonly tracker: ChangeTracker };

const visible = (s: Server): unknown[] => s.db.prepare('SELECT id FROM robots ORDER BY id').pluck().all();
const parked = (s: Server): unknown[] => s.tracker.listConflicts(undefined, 100).map((c) => [c.key[0], c.reason]);

describe('a row waiting for its parent, and a later claim of its UNIQUE value written locally', () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.cleanup()));
  const make = (): Server => {
    const temp = tempDb(SCHEMA);
    const s = { ...temp, tracker: enableCapture(temp.db, { tables: ['teams', 'robots'] }) };
    servers.push(s);
    return s;
  };

  /** a deletes team t1 while b adds a robot to it: the robot waits for its parent on both, holding serial S-1. */
  function waitingOrphan(): [Server, Server] {
    const [a, b] = [make(), make()];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    b.db.exec("INSERT INTO robots VALUES ('r-early', 't1', 'S-1')");
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
    expect([parked(a), parked(b)]).toEqual([[['r-early', 'FOREIGN_KEY']], [['r-early', 'FOREIGN_KEY']]]);
    return [a, b];
  }

  it.each(['INSERT', 'INSERT OR REPLACE'])('%s of a new row: parked on the server that wrote it too', (verb) => {
    const [a, b] = waitingOrphan();
    b.db.exec(`INSERT INTO teams VALUES ('t2', 'Gears'); ${verb} INTO robots VALUES ('r-late', 't2', 'S-1')`);
    b.tracker.fold();
    expect(visible(b)).toEqual([]);
    expect(parked(b)).toEqual(expect.arrayContaining([['r-late', 'UNIQUE']]));
    pullAll(b.tracker, a.tracker);
    pullAll(a.tracker, b.tracker);
    expect(visible(a)).toEqual(visible(b));
    expect(parked(a)).toEqual(parked(b));
  });

  it('when the parent comes back, the waiting row is visible and the later claim stays parked, on both', () => {
    const [a, b] = waitingOrphan();
    b.db.exec("INSERT INTO robots VALUES ('r-late', NULL, 'S-1')");
    b.tracker.fold();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots again')");
    for (let round = 0; round < 2; round++) {
      pullAll(b.tracker, a.tracker);
      pullAll(a.tracker, b.tracker);
    }
    expect([visible(a), visible(b)]).toEqual([['r-early'], ['r-early']]);
    expect([parked(a), parked(b)]).toEqual([[['r-late', 'UNIQUE']], [['r-late', 'UNIQUE']]]);
  });
});
