import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * Reviewer x5: the query that picks the orphans that may come back compared
 * the parent's TEXT key with the parked (untyped) child value as two columns,
 * so SQLite applied no affinity: a child holding the number 2024 under a parent
 * keyed '2024' (which SQLite's own foreign-key check accepts) never came back
 * on one server while the others held it visible. The parked value now takes
 * the parent column's affinity, as SQLite's check and a bound value get it.
 */
const SCHEMA = `
CREATE TABLE tags (name TEXT PRIMARY KEY NOT NULL);
CREATE TABLE post_tags (id TEXT PRIMARY KEY NOT NULL, tag REFERENCES tags (name));
`;

type Server = TempDb & { readonly tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['tags', 'post_tags'] }) };
}

function visibleChildren(s: Server): string[] {
  return s.db.prepare('SELECT id || \':\' || typeof(tag) FROM post_tags ORDER BY id').pluck().all() as string[];
}

describe('an orphan whose parent comes back, its key stored in another type', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.cleanup();
  });

  it('comes back on every server, as SQLite\'s own check takes it', () => {
    const [a, b, fresh] = [server(), server(), server()];
    servers.push(a, b, fresh);
    a.db.prepare("INSERT INTO tags VALUES ('2024')").run();
    pullAll(a.tracker, b.tracker);
    b.db.prepare("DELETE FROM tags WHERE name = '2024'").run(); // no child yet
    b.tracker.readChanges(0, 1);
    a.db.prepare("INSERT INTO post_tags VALUES ('p1', 2024)").run(); // meanwhile on a: SQLite's foreign key takes it (TEXT affinity on the lookup)
    pullAll(a.tracker, b.tracker);
    expect(b.tracker.listConflicts().map((entry) => entry.reason)).toEqual(['FOREIGN_KEY']); // its parent is gone on b
    nextMillisecond();
    b.db.prepare("INSERT INTO tags VALUES ('2024')").run(); // the parent again: the child comes back
    b.tracker.readChanges(0, 1);
    expect(visibleChildren(b)).toEqual(['p1:integer']);
    pullAll(b.tracker, a.tracker);
    pullAll(a.tracker, b.tracker);
    pullAll(a.tracker, fresh.tracker);
    for (const s of [a, b, fresh]) {
      expect(visibleChildren(s)).toEqual(['p1:integer']);
      expect(s.tracker.listConflicts()).toEqual([]);
    }
  });
});
