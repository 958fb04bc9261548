import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

// A page applied inside the app's own transaction is applied in a savepoint of
// it; when the app then rolls its transaction back, the page goes with it (and
// the pull cursor: the page is pulled again). What the tracker remembered in
// memory of that apply must go too. It did not: the site number the page's
// sender got was cached, and given to the next new site by the database, so a
// hub then filed one leaf's changes under the other's id and relayed neither;
// and the seqs the page took were kept as the sender's echo window, so the
// local writes that took them next were never sent to the sender.
const SCHEMA = 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT);';

type Server = TempDb & { readonly tracker: ChangeTracker };

function rows(s: Server): unknown[] {
  return s.db.prepare('SELECT id, v FROM t ORDER BY id').raw(true).all();
}

describe("a page applied inside the app's transaction, which the app rolls back", () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.cleanup()));
  const make = (): Server => {
    const temp = tempDb(SCHEMA);
    const s = { ...temp, tracker: enableCapture(temp.db, { tables: ['t'] }) };
    servers.push(s);
    return s;
  };
  const rolledBack = (from: Server, to: Server, before = ''): void => {
    to.db.exec('BEGIN');
    if (before !== '') to.db.exec(before);
    to.tracker.applyChangeset(from.tracker.readChanges(to.tracker.pullCursor(from.tracker.siteId), 100, to.tracker.siteId));
    to.db.exec('ROLLBACK');
  };

  it('leaves no site number behind: a hub relays both leaves afterwards', () => {
    const [a, hub, c] = [make(), make(), make()];
    a.db.exec("INSERT INTO t VALUES ('a1', 'from a')");
    c.db.exec("INSERT INTO t VALUES ('c1', 'from c')");
    rolledBack(a, hub);
    expect(rows(hub)).toEqual([]);
    pullAll(c.tracker, hub.tracker);
    pullAll(a.tracker, hub.tracker);
    pullAll(hub.tracker, a.tracker);
    pullAll(hub.tracker, c.tracker);
    const all = [
      ['a1', 'from a'],
      ['c1', 'from c'],
    ];
    expect([rows(a), rows(hub), rows(c)]).toEqual([all, all, all]);
    const sites = hub.db.prepare('SELECT site FROM _sync_sites WHERE id > 0 ORDER BY site').pluck().all();
    expect(sites).toEqual([a.tracker.siteId, c.tracker.siteId].sort());
  });

  it("keeps no echo window: local writes made afterwards reach the page's sender", () => {
    const [a, b] = [make(), make()];
    a.db.exec("INSERT INTO t VALUES ('a1', 'x')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("INSERT INTO t VALUES ('a2', 'y')");
    // The app's own write, folded first, takes a seq: the page's part takes the next one.
    rolledBack(a, b, "INSERT INTO t VALUES ('b0', 'rolled back')");
    pullAll(a.tracker, b.tracker);
    b.db.exec("INSERT INTO t VALUES ('b1', 'z'), ('b2', 'w')");
    pullAll(b.tracker, a.tracker);
    expect(rows(a)).toEqual([
      ['a1', 'x'],
      ['a2', 'y'],
      ['b1', 'z'],
      ['b2', 'w'],
    ]);
    const pushed = b.tracker.readChangesToSend(0, 100, a.tracker.siteId).changes.map((change) => change.key[0]);
    expect(pushed).toEqual(expect.arrayContaining(['b1', 'b2']));
    expect(rows(b)).toEqual(rows(a));
  });
});
