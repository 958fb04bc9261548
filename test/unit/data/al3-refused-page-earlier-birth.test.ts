import { dbDigest, trackedDb } from '../../helpers/data';

// A page that takes in an earlier birth of a row (a second server created the same key before this one)
// and is then refused by a later change is rolled back whole. The birth it took in must leave no trace:
// before, it stayed waiting in memory, and the next page applied gave that row a new seq, so the row
// went to every peer again on the word of a page that was refused.
describe('a page refused after taking in an earlier birth', () => {
  it('leaves the row where it was for the next page applied', () => {
    const target = trackedDb();
    const sender = trackedDb();
    const third = trackedDb();
    try {
      target.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
      target.tracker.fold();
      const born = (): unknown => target.db.prepare('SELECT pk, born, hlc FROM _sync_rows ORDER BY pk').raw(true).all();
      const before = { rows: born(), digest: dbDigest(target.db) };
      const refused = {
        protocol: 1,
        site: sender.tracker.siteId,
        schema: target.tracker.info().schema,
        sites: [sender.tracker.siteId],
        changes: [
          { table: 'teams', key: ['t1'], cl: 1, hlc: 1024, site: 0, cells: { name: 'Older', number: 1, rating: 2.5, logo: null } },
          { table: 'teams', key: ['t2'], cl: 1, hlc: 2048, site: 7, cells: { name: 'Gears', number: 2, rating: 3.5, logo: null } },
        ],
      };
      expect(() => target.tracker.applyChangeset(refused)).toThrow(/site index 7/);
      expect(dbDigest(target.db)).toBe(before.digest);

      third.db.exec("INSERT INTO teams VALUES ('t3', 'Sprockets', 1114, 2.5, NULL)");
      target.tracker.applyChangeset(third.tracker.readChanges(0, 100));
      const after = born() as unknown[][];
      expect(after[0]).toEqual((before.rows as unknown[][])[0]); // t1: the same seq and birth as before the refused page
      const sent = target.tracker.readChanges(1, 100).changes.map((change) => change.key[0]);
      expect(sent).toEqual(['t3']); // not t1 again
    } finally {
      target.cleanup();
      sender.cleanup();
      third.cleanup();
    }
  });
});
