import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

// SQLite cannot switch foreign_keys off inside a transaction. A page applied
// inside the app's own transaction on a connection enforcing them ran the
// receiver's own ON DELETE CASCADE: a child this server had just added was
// deleted here by a peer's parent delete, no capture saw it, its metadata
// still said alive, and it was lost on every server with no conflict listed.
// Such a call is now refused, before anything is written.
const SCHEMA = `
CREATE TABLE parents (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE children (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT REFERENCES parents (id) ON DELETE CASCADE, v TEXT);`;

type Server = TempDb & { readonly tracker: ChangeTracker };

describe("a replicated write asked for inside the app's own transaction", () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.cleanup()));
  const make = (schema = SCHEMA, tables = ['parents', 'children']): Server => {
    const temp = tempDb(schema);
    const s = { ...temp, tracker: enableCapture(temp.db, { tables }) };
    servers.push(s);
    return s;
  };
  const children = (s: Server): unknown[] => s.db.prepare('SELECT id FROM children ORDER BY id').pluck().all();

  it('is refused with IN_TRANSACTION when foreign keys are enforced and a tracked table has one; nothing is written', () => {
    const [a, b] = [make(), make()];
    a.db.exec("INSERT INTO parents VALUES ('p1', 'parent')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("DELETE FROM parents WHERE id = 'p1'");
    b.db.exec("INSERT INTO children VALUES ('c1', 'p1', 'added on b')");
    const page = a.tracker.readChanges(b.tracker.pullCursor(a.tracker.siteId), 100, b.tracker.siteId);
    const cursor = b.tracker.pullCursor(a.tracker.siteId);
    b.db.exec('BEGIN');
    expect(() => b.tracker.applyChangeset(page)).toThrow(expect.objectContaining({ code: 'IN_TRANSACTION', status: 409, message: expect.stringContaining('"children" has a foreign key') }));
    b.db.exec('COMMIT');
    expect(children(b)).toEqual(['c1']);
    expect(b.tracker.pullCursor(a.tracker.siteId)).toBe(cursor);
    // Outside the transaction the same page applies: the child is parked as an orphan, on every server alike.
    b.tracker.applyChangeset(page);
    pullAll(b.tracker, a.tracker);
    expect(b.tracker.listConflicts().map((c) => [c.table, c.reason])).toEqual([['children', 'FOREIGN_KEY']]);
    expect(a.tracker.listConflicts().map((c) => [c.table, c.reason])).toEqual([['children', 'FOREIGN_KEY']]);
  });

  it('refuses resolveConflict the same way', () => {
    const [a, b] = [make(), make()];
    a.db.exec("INSERT INTO parents VALUES ('p1', 'parent')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("DELETE FROM parents WHERE id = 'p1'");
    b.db.exec("INSERT INTO children VALUES ('c1', 'p1', 'added on b')");
    pullAll(a.tracker, b.tracker);
    const [conflict] = b.tracker.listConflicts();
    if (conflict === undefined) throw new Error('no conflict');
    b.db.exec('BEGIN');
    expect(() => b.tracker.resolveConflict(conflict.id, { action: 'discard' })).toThrow(expect.objectContaining({ code: 'IN_TRANSACTION' }));
    b.db.exec('ROLLBACK');
    expect(b.tracker.resolveConflict(conflict.id, { action: 'discard' })).toMatchObject({ action: 'discard' });
  });

  it('goes on as before with foreign keys off, or when no tracked table has a foreign key', () => {
    const [a, b] = [make(), make()];
    a.db.exec("INSERT INTO parents VALUES ('p1', 'parent')");
    b.db.pragma('foreign_keys = OFF');
    b.db.exec('BEGIN');
    b.tracker.applyChangeset(a.tracker.readChanges(0, 100, b.tracker.siteId));
    b.db.exec('COMMIT');
    expect(b.db.prepare('SELECT id FROM parents').pluck().all()).toEqual(['p1']);
    const [c, d] = [make(SCHEMA, ['parents']), make(SCHEMA, ['parents'])];
    c.db.exec("INSERT INTO parents VALUES ('p2', 'parent')");
    d.db.exec('BEGIN');
    d.tracker.applyChangeset(c.tracker.readChanges(0, 100, d.tracker.siteId));
    d.db.exec('COMMIT');
    expect(d.db.prepare('SELECT id FROM parents').pluck().all()).toEqual(['p2']);
  });
});
