import { enableCapture } from '../../../lib/data/capture';
import { nextMillisecond } from '../../helpers/clock';
import { tempDb } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * A REFERENCES clause whose table or columns are spelled in another case than
 * the parent's (`REFERENCES TEAMS (ID)` for `teams.id`), or that names no
 * column: SQLite matches them without case, and the constraint rules looked
 * the parent and its columns up by the clause's spelling. A parent deleted on
 * one server while another added a child under it left the child visible on
 * the second server (no conflict there) and parked on the first.
 */
const PARENT = 'CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE, name TEXT);';
const CHILDREN: readonly (readonly [string, string])[] = [
  ['the table in capitals', 'team_id TEXT REFERENCES TEAMS (id)'],
  ['the column in capitals', 'team_id TEXT REFERENCES teams (ID)'],
  ['no column, the table in another case', 'team_id TEXT REFERENCES Teams'],
  ['a UNIQUE column in capitals', 'team_code TEXT REFERENCES Teams (CODE)'],
];

function state(server: TrackedServer): unknown {
  return { reports: settledState(server, 'reports'), teams: settledState(server, 'teams') };
}

describe('a foreign key spelling its parent in another case', () => {
  let a: TrackedServer;
  let b: TrackedServer;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each(CHILDREN)('%s: a child added under a parent deleted elsewhere is parked on both servers, and back when the parent is', (_, column) => {
    const schema = `${PARENT} CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, ${column});`;
    [a, b] = [trackedServer(schema, ['teams', 'reports']), trackedServer(schema, ['teams', 'reports'])];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'c1', 'Team one')");
    syncBoth(a, b);
    const pointer = column.startsWith('team_code') ? 'c1' : 't1';
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    nextMillisecond();
    b.db.prepare("INSERT INTO reports VALUES ('r1', ?)").run(pointer);
    syncBoth(a, b);
    expect(state(b)).toEqual({ reports: { visible: [], parked: ['r1:FOREIGN_KEY'] }, teams: { visible: [], parked: [] } });
    expect(state(a)).toEqual(state(b));

    nextMillisecond();
    a.db.exec("INSERT INTO teams VALUES ('t1', 'c1', 'Team one again')");
    syncBoth(a, b);
    expect(state(b)).toEqual({ reports: { visible: ['r1'], parked: [] }, teams: { visible: ['t1'], parked: [] } });
    expect(state(a)).toEqual(state(b));
  });
});

describe('a foreign key to an untracked table whose name differs from a tracked one only in non-ASCII case', () => {
  it('is refused: SQLite folds only ASCII case, so "Équipe" is another table than "équipe" and its rows never sync', () => {
    const temp = tempDb(`CREATE TABLE "équipe" (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE "Équipe" (id TEXT PRIMARY KEY NOT NULL);
      CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES "Équipe" (id));`);
    try {
      expect(() => enableCapture(temp.db, { tables: ['équipe', 'reports'] })).toThrow(/references table "Équipe", which is not tracked/);
    } finally {
      temp.cleanup();
    }
  });
});
