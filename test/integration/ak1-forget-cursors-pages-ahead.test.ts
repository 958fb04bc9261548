import { trackedDb } from '../helpers/data';

/**
 * `forgetPeerCursors` (DUPLICATE_SITE_ID: two servers answer one site id) says the site is pulled from its
 * start again. A page of that id applied ahead of the pull cursor before (in memory, `PagesAhead`) may have come
 * from the other server of the two: the cursor, pulled again from 0, must not jump past its seqs on its word.
 */
describe('forgetting the cursors of a site forgets its pages applied ahead too', () => {
  it('a pull from the start after the forget moves the cursor only as far as the page it applied', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
      const first = b.tracker.readChanges(0, 1000, a.tracker.siteId);
      b.db.exec("INSERT INTO teams (id, name) VALUES ('t2', 'Gears')");
      const ahead = b.tracker.readChanges(first.next ?? 0, 1000, a.tracker.siteId);
      expect(ahead.since).toBe(first.next);
      // Applied ahead of A's pull cursor of B (0): kept in memory.
      a.tracker.applyChangeset(ahead);
      expect(a.tracker.pullCursor(b.tracker.siteId)).toBe(0);
      a.tracker.forgetPeerCursors(b.tracker.siteId);
      a.tracker.applyChangeset(first);
      expect(a.tracker.pullCursor(b.tracker.siteId)).toBe(first.next);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
