import { enableCapture } from '../../../lib/data/capture';
import { nextMillisecond } from '../../helpers/clock';
import { tempDb } from '../../helpers/data';
import { settledState, syncBoth, type TrackedServer } from '../../helpers/settling';

/**
 * A server whose own connection does not enforce foreign keys (`PRAGMA foreign_keys = OFF`, SQLite's
 * default outside better-sqlite3): the constraint rules skipped foreign keys there altogether, so an orphan
 * a peer's page brought (a child added on one server under a parent deleted on another) stayed visible
 * on it, with no conflict, while every other server parked it. Which rows a foreign key parks is
 * decided from the replicated state on every server now, whatever its connection enforces.
 */
const SCHEMA = `CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id) ON DELETE CASCADE, note TEXT);`;
const TABLES = ['teams', 'reports'];

function server(foreignKeys: boolean): TrackedServer {
  const temp = tempDb(SCHEMA);
  temp.db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  return { ...temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
}

function state(s: TrackedServer): unknown {
  return { teams: settledState(s, 'teams'), reports: settledState(s, 'reports') };
}

describe('a server whose connection does not enforce foreign keys', () => {
  const servers: TrackedServer[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.cleanup()));
  const fleet = (): [TrackedServer, TrackedServer, TrackedServer] => {
    const made: [TrackedServer, TrackedServer, TrackedServer] = [server(true), server(false), server(true)];
    servers.push(...made);
    return made;
  };

  it("parks an orphan a peer's page brings, as the others do, and shows it again when its parent is back", () => {
    const [a, off, c] = fleet();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'one')");
    syncBoth(a, c);
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    nextMillisecond();
    c.db.exec("INSERT INTO reports VALUES ('r1', 't1', 'seen')");
    for (const [x, y] of [[a, c], [a, off], [off, c]] as const) syncBoth(x, y);
    const orphan = { teams: { visible: [], parked: [] }, reports: { visible: [], parked: ['r1:FOREIGN_KEY'] } };
    expect([state(a), state(off), state(c)]).toEqual([orphan, orphan, orphan]);
    nextMillisecond();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'one again')");
    for (const [x, y] of [[a, off], [off, c]] as const) syncBoth(x, y);
    const back = { teams: { visible: ['t1'], parked: [] }, reports: { visible: ['r1'], parked: [] } };
    expect([state(a), state(off), state(c)]).toEqual([back, back, back]);
  });

  it('parks its own orphan and the children of a parent it deletes (no cascade runs there) at the next sync, as its peers do', () => {
    const [a, off] = fleet();
    off.db.exec("INSERT INTO teams VALUES ('t1', 'one'), ('t2', 'two'); INSERT INTO reports VALUES ('r1', 't1', NULL), ('r2', 't2', NULL)");
    syncBoth(off, a);
    off.db.exec("INSERT INTO reports VALUES ('r3', 'nobody', NULL); DELETE FROM teams WHERE id = 't2'");
    syncBoth(off, a);
    const expected = { teams: { visible: ['t1'], parked: [] }, reports: { visible: ['r1'], parked: ['r2:FOREIGN_KEY', 'r3:FOREIGN_KEY'] } };
    expect(state(off)).toEqual(expected);
    expect(state(a)).toEqual(expected);
  });
});
