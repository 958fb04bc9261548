import { nextMillisecond } from '../helpers/clock';
import { pullAll, syncRefusal, tableRows, trackedServers, type TrackedServer } from '../helpers/data';

// A new life of a row that the receiver still holds in its table (it has not seen the delete) is written over
// the old row with an upsert, which fires the table's UPDATE triggers. The read-back of 92146f3 judged it as a
// row written whole: any cell an AFTER UPDATE trigger set (the `updated_at` stamp let through on an ordinary
// update: app-triggers-during-merge, ap2-trigger-undoes-merge-write) refused the page, every round, for good.
// Such an overwrite is an update of the row the table held: it is refused only when a trigger deletes the row
// or writes a cell back to its value of before, as an ordinary update is.
const SCHEMA = 'CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, stamp TEXT);';

/** `a` writes n1, `b` gets it and the trigger `trigger`; `a` deletes n1 and writes it again (a new life) and `b` pulls. */
function revive(servers: readonly TrackedServer[], trigger: string): void {
  const [a, b] = servers as [TrackedServer, TrackedServer];
  a.temp.db.exec("INSERT INTO note VALUES ('n1', 'first', NULL)");
  pullAll(a.tracker, b.tracker);
  b.temp.db.exec(`CREATE TRIGGER undo ${trigger}`);
  nextMillisecond();
  a.temp.db.exec("DELETE FROM note WHERE id = 'n1'");
  nextMillisecond();
  a.temp.db.exec("INSERT INTO note VALUES ('n1', 'second', NULL)");
}

describe('an app trigger during a new life of a row the receiver still holds (an overwrite)', () => {
  let servers: TrackedServer[];
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  it('an AFTER UPDATE OF body trigger stamping another column is let through, as on an ordinary update', () => {
    servers = trackedServers(2, SCHEMA, ['note']);
    const [a, b] = servers as [TrackedServer, TrackedServer];
    revive(servers, "AFTER UPDATE OF body ON note BEGIN UPDATE note SET stamp = 'there' WHERE id = NEW.id; END");
    pullAll(a.tracker, b.tracker);
    expect(tableRows(b.temp.db, 'note')).toEqual([['n1', 'second', 'there']]);
  });

  it('an AFTER UPDATE trigger writing the old value back is still refused', () => {
    servers = trackedServers(2, SCHEMA, ['note']);
    const [a, b] = servers as [TrackedServer, TrackedServer];
    revive(servers, 'AFTER UPDATE ON note BEGIN UPDATE note SET body = OLD.body WHERE id = NEW.id; END');
    const refusal = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(refusal.code).toBe('APPLY_REFUSED');
    expect(refusal.message).toContain('a change to note ["n1"] from another server was refused by an app trigger (app triggers on note: undo)');
    expect(refusal.message).toContain('"an app trigger wrote the old value of body back right after it was updated"');
    expect(tableRows(b.temp.db, 'note')).toEqual([['n1', 'first', null]]);
  });
});
