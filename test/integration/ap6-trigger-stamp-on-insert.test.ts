import { nextMillisecond } from '../helpers/clock';
import { pullAll, tableRows, trackedServers, type TrackedServer } from '../helpers/data';

// An AFTER INSERT trigger stamping the row it inserts (created_at / updated_at, one of the commonest triggers)
// fires on a merge's insert too. It derives a cell, as the AFTER UPDATE stamp does that app-triggers-during-merge
// shows let through (the receiver then differs in that cell: what docs/API.md warns of, and why such a trigger
// should skip merges); it undoes nothing, the row is there. The read-back of 92146f3 refused it (409
// APPLY_REFUSED, "an app trigger changed stamp of the row right after it was written"), every round, for good:
// sync stopped. A merge's insert is refused only when a trigger deletes the row now; a cell a trigger sets to a
// value of its own is let through, on an insert as on an update.
const SCHEMA = 'CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, stamp TEXT);';

/** The stamp trigger of one server: it stamps each row inserted with the server's name. */
function stamp(server: string): string {
  return `CREATE TRIGGER note_made AFTER INSERT ON note BEGIN UPDATE note SET stamp = 'made on ${server}' WHERE id = NEW.id; END;`;
}

describe('an AFTER INSERT stamp trigger on a merge', () => {
  let servers: TrackedServer[];
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  it('is let through on every insert, the same page applied twice too, as an AFTER UPDATE stamp is', () => {
    servers = trackedServers(2, SCHEMA, ['note']);
    const [a, b] = servers as [TrackedServer, TrackedServer];
    a.temp.db.exec(stamp('a'));
    b.temp.db.exec(stamp('b'));
    a.temp.db.exec("INSERT INTO note (id, body) VALUES ('n1', 'first')");
    const page = a.tracker.readChanges(0, 100, b.tracker.siteId);
    b.tracker.applyChangeset(page);
    b.tracker.applyChangeset(page);
    nextMillisecond();
    b.temp.db.exec("INSERT INTO note (id, body) VALUES ('n2', 'second')");
    pullAll(b.tracker, a.tracker);
    pullAll(a.tracker, b.tracker);
    expect(tableRows(a.temp.db, 'note')).toEqual([
      ['n1', 'first', 'made on a'],
      ['n2', 'second', 'made on a'],
    ]);
    expect(tableRows(b.temp.db, 'note')).toEqual([
      ['n1', 'first', 'made on b'],
      ['n2', 'second', 'made on b'],
    ]);
  });
});
