import { trackedDb, tableRows, tempDb } from '../../helpers/data';
import { enableCapture } from '../../../lib/data/capture';

/** A table whose key compares without case (or trailing spaces): 'abc' and 'ABC' are one key to SQLite, two rows to the log. */
const SCHEMAS = {
  NOCASE: 'CREATE TABLE tags (id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, label TEXT NOT NULL)',
  RTRIM: 'CREATE TABLE tags (id TEXT NOT NULL PRIMARY KEY COLLATE RTRIM, label TEXT NOT NULL)',
} as const;

const RESPELLED = { NOCASE: ['abc', 'ABC'], RTRIM: ['abc', 'abc  '] } as const;

function server(schema: string): ReturnType<typeof tempDb> & { tracker: ReturnType<typeof enableCapture> } {
  const temp = tempDb(schema);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['tags'] }) };
}

describe.each(Object.keys(SCHEMAS) as Array<keyof typeof SCHEMAS>)('a %s key respelled (deleted, then inserted in another spelling)', (collation) => {
  const [before, after] = RESPELLED[collation];
  it.each([1, 2])('reaches a fresh server and one that had the old spelling, in protocol %i', (protocol) => {
    const [a, fresh, old] = [server(SCHEMAS[collation]), server(SCHEMAS[collation]), server(SCHEMAS[collation])];
    try {
      a.db.prepare('INSERT INTO tags VALUES (?, ?)').run(before, 'one');
      old.tracker.applyChangeset(a.tracker.readChanges(0, 100));
      a.db.prepare('DELETE FROM tags WHERE id = ?').run(before);
      a.tracker.fold();
      a.db.prepare('INSERT INTO tags VALUES (?, ?)').run(after, 'two');
      for (const target of [fresh, old]) {
        const since = target.tracker.pullCursor(a.tracker.siteId);
        const page = protocol === 1 ? a.tracker.readChanges(since, 100) : a.tracker.readCompactChanges(since, 100);
        target.tracker.applyChangeset(page);
        expect(tableRows(target.db, 'tags')).toEqual([[after, 'two']]);
        expect(target.db.prepare('SELECT pk, cl FROM _sync_rows ORDER BY pk').all()).toEqual(a.db.prepare('SELECT pk, cl FROM _sync_rows ORDER BY pk').all());
      }
    } finally {
      for (const one of [a, fresh, old]) one.cleanup();
    }
  });
});

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
