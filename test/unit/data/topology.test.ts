import { pullAll, tableRows, trackedDb } from '../../helpers/data';

describe('topologies', () => {
  it('forwards along a chain A → B → C, and never sends a server its own changes back', () => {
    const [a, b, c] = [trackedDb(), trackedDb(), trackedDb()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 'From A', 1, NULL, NULL)");
      pullAll(a.tracker, b.tracker);
      pullAll(b.tracker, c.tracker);
      expect(tableRows(c.db, 'teams')).toEqual(tableRows(a.db, 'teams'));

      c.db.exec("UPDATE teams SET name = 'Edited on C' WHERE id = 't1'");
      pullAll(c.tracker, b.tracker);
      // B holds the birth from A and the cell from C: A is sent only C's cell.
      const toA = b.tracker.readChanges(a.tracker.pullCursor(b.tracker.siteId), 100, a.tracker.siteId);
      expect(toA.changes).toEqual([expect.objectContaining({ key: ['t1'], cells: { name: ['Edited on C', expect.any(Number), expect.any(Number)] } })]);
      a.tracker.applyChangeset(toA);
      expect(tableRows(a.db, 'teams')).toEqual(tableRows(c.db, 'teams'));
      // C is up to date with B: what B got from C is not offered back to it.
      pullAll(b.tracker, c.tracker);
      expect(b.tracker.readChanges(c.tracker.pullCursor(b.tracker.siteId), 100, c.tracker.siteId).changes).toEqual([]);
      expect(b.tracker.readChanges(0, 100, c.tracker.siteId).changes).toEqual([expect.objectContaining({ key: ['t1'], cells: expect.objectContaining({ name: ['Edited on C', expect.any(Number), expect.any(Number)] }) })]);
    } finally {
      [a, b, c].forEach((peer) => peer.cleanup());
    }
  });

  it('gives every database a random 128-bit site id, created once', () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      expect(a.tracker.siteId).toMatch(/^[0-9a-f]{32}$/);
      expect(b.tracker.siteId).not.toBe(a.tracker.siteId);
      expect(a.tracker.info().site).toBe(a.tracker.siteId);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it("saves the sender's cursor with a page, never skips over a gap, and moves past a page applied ahead once it reaches it", () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 'One', 1, NULL, NULL), ('t2', 'Two', 2, NULL, NULL), ('t3', 'Three', 3, NULL, NULL)");
      const first = a.tracker.readChanges(0, 1);
      const second = a.tracker.readChanges(first.next ?? 0, 1);
      b.tracker.applyChangeset(second);
      expect(b.tracker.pullCursor(a.tracker.siteId)).toBe(0);
      b.tracker.applyChangeset(first);
      // The second page was applied ahead of the cursor: once the first one reaches its start, the cursor moves past both.
      expect(b.tracker.pullCursor(a.tracker.siteId)).toBe(second.next);
      b.tracker.applyChangeset(second);
      expect(b.tracker.pullCursor(a.tracker.siteId)).toBe(second.next);
      pullAll(a.tracker, b.tracker);
      expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
