import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { dbDigest, pullAll, tempDb, type TempDb, syncRefusal } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

// An app trigger that skips no merge can fail a merged write through a
// constraint of *another* table it writes (a companion row keyed like the
// row, a NOT NULL column, a CHECK). SQLite reports the trigger's failure with
// the constraint's own code, so the merge used to take it for the row's own
// UNIQUE or CHECK and parked the row on this server only (the origin shows it,
// the conflicts lists differ: a silent divergence, with a conflict message
// naming no holder), or refused the page with INVALID_VALUE as if the row held
// a value its column refuses. It is the app trigger refusing the write: the
// page is refused with APPLY_REFUSED and its fix, like a RAISE.
const TABLES = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT UNIQUE);
CREATE TABLE team_log (id TEXT PRIMARY KEY NOT NULL, team_id TEXT NOT NULL, what TEXT NOT NULL CHECK (what <> ''));
`;
const GUARD = 'WHEN (SELECT applying FROM _sync_state) = 0';

/** Made after capture, as a later migration would: it fires before the capture triggers, so its row is logged first. */
const triggerSql = (body: string, guard = ''): string => `CREATE TRIGGER teams_log AFTER INSERT ON teams ${guard} BEGIN ${body}; END;`;

type Server = TempDb & { readonly tracker: ChangeTracker };

function server(trigger: string): Server {
  const temp = tempDb(TABLES);
  const tracker = enableCapture(temp.db, { tables: ['teams', 'team_log'] });
  temp.db.exec(trigger);
  return { ...temp, tracker };
}


const rows = (s: Server): unknown => ({
  teams: s.db.prepare('SELECT id, name FROM teams ORDER BY id').raw(true).all(),
  log: s.db.prepare('SELECT id, team_id, what FROM team_log ORDER BY id').raw(true).all(),
  conflicts: s.tracker.listConflicts(undefined, 100).length,
});

describe("an app trigger's constraint failure during a merge", () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.cleanup()));
  const make = (trigger: string): Server => {
    const s = server(trigger);
    servers.push(s);
    return s;
  };

  it('a companion row keyed like the row (UNIQUE of another table): APPLY_REFUSED, nothing written; with the guard both servers end equal', () => {
    const body = "INSERT INTO team_log (id, team_id, what) VALUES ('log-' || new.id, new.id, 'created')";
    const [a, b] = [make(triggerSql(body)), make(triggerSql(body))];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a change to teams \["t1"\] from another server was refused by an app trigger \(app triggers on teams: teams_log\): "UNIQUE constraint failed: team_log\.id"\. App triggers fire/);
    expect(error.message).toContain('WHEN (SELECT applying FROM _sync_state) = 0');
    expect(dbDigest(b.db)).toBe(before);

    b.db.exec(`DROP TRIGGER teams_log; ${triggerSql(body, GUARD)}`);
    pullAll(a.tracker, b.tracker);
    expect(rows(b)).toEqual(rows(a));
    expect(rows(b)).toEqual({ teams: [['t1', 'Robots']], log: [['log-t1', 't1', 'created']], conflicts: 0 });
  });

  it('a NOT NULL column of another table: APPLY_REFUSED, not INVALID_VALUE', () => {
    const [a, b] = [make(''), make(triggerSql('INSERT INTO team_log (id, team_id, what) VALUES (new.id, new.id, NULL)'))];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toContain('"NOT NULL constraint failed: team_log.what"');
  });

  it('a CHECK of another table: APPLY_REFUSED, the row not parked', () => {
    const [a, b] = [make(''), make(triggerSql("INSERT INTO team_log (id, team_id, what) VALUES (new.id, new.id, '')"))];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toContain(`"CHECK constraint failed: what <> ''"`);
    expect(b.tracker.listConflicts(undefined, 100)).toEqual([]);
  });

  it('a parked row coming back into its table (an earlier claim displacing a later one): APPLY_REFUSED, not parked on one server only', () => {
    const body = "INSERT INTO team_log (id, team_id, what) VALUES ('log-' || new.id, new.id, 'created')";
    const [a, b] = [make(triggerSql(body)), make(triggerSql(body))];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    nextMillisecond();
    b.db.exec("INSERT INTO teams VALUES ('t2', 'Robots')");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a write settling the constraints \(a parked teams row \["t1"\] coming back into its table\) was refused by an app trigger \(app triggers on teams: teams_log\): "UNIQUE constraint failed: team_log\.id"/);
    expect(dbDigest(b.db)).toBe(before);
  });

  it('a row parked for its missing parent coming back: APPLY_REFUSED, not parked on one server only', () => {
    const schema = `${TABLES} CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id), body TEXT);`;
    const [a, b] = [tempDb(schema), tempDb(schema)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['teams', 'team_log', 'notes'] }), enableCapture(b.db, { tables: ['teams', 'team_log', 'notes'] })];
    servers.push({ ...a, tracker: ta }, { ...b, tracker: tb });
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    pullAll(ta, tb);
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    b.db.exec("INSERT INTO notes VALUES ('n1', 't1', 'fast')");
    pullAll(ta, tb);
    pullAll(tb, ta);
    expect([ta.listConflicts(undefined, 9).length, tb.listConflicts(undefined, 9).length]).toEqual([1, 1]);
    b.db.exec("CREATE TRIGGER notes_log AFTER INSERT ON notes BEGIN INSERT INTO team_log (id, team_id, what) VALUES (new.team_id, new.team_id, 'noted'); END");
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots'); INSERT INTO team_log VALUES ('t1', 't1', 'back')");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(ta, tb));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toContain('a parked notes row ["n1"] coming back into its table) was refused by an app trigger (app triggers on notes: notes_log): "UNIQUE constraint failed: team_log.id"');
    expect(dbDigest(b.db)).toBe(before);
  });

  it("the row's own UNIQUE still parks the later claim, trigger or not", () => {
    const body = "INSERT INTO team_log (id, team_id, what) VALUES (new.id || '-' || hex(randomblob(4)), new.id, 'created')";
    const [a, b] = [make(triggerSql(body, GUARD)), make(triggerSql(body, GUARD))];
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots')");
    nextMillisecond();
    b.db.exec("INSERT INTO teams VALUES ('t2', 'Robots')");
    pullAll(b.tracker, a.tracker);
    pullAll(a.tracker, b.tracker);
    expect(rows(a)).toEqual(rows(b));
    expect(a.tracker.listConflicts(undefined, 100).map((c) => [c.table, c.key, c.reason])).toEqual([['teams', ['t2'], 'UNIQUE']]);
  });
});
