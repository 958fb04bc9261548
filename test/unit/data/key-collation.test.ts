import { trackedDb, tableRows } from '../../helpers/data';

// Keys with a collation other than BINARY (NOCASE, RTRIM) are refused by enableCapture: see capture-schema-refusals.test.ts.

describe('a one-column key that is TEXT but not valid UTF-8 ($text)', () => {
  it('is refused with 400 INVALID_VALUE, not a crash, and nothing is written', () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      a.db.prepare("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')").run();
      const page = a.tracker.readChanges(0, 100);
      const change = page.changes.find((one) => one.table === 'teams');
      if (change === undefined) throw new Error('no team in the page');
      change.key = [{ $text: '/w==' }];
      expect(() => b.tracker.applyChangeset(page)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE', status: 400 }));
      expect(tableRows(b.db, 'teams')).toEqual([]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
