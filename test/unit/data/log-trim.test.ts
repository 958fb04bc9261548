import { enableCapture } from '../../../lib/data/capture';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * After a fold the capture log keeps one row: the last folded one, which keeps
 * `seq` growing and the clock from going back. A large fold empties the log at
 * once and writes that row back as a sentinel with the same seq and clock
 * (a range DELETE visited every row: 40-70 ms of a 100k-row first read).
 */
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

interface LogRow {
  readonly seq: number;
  readonly op: number;
  readonly hlc: number;
}

function log(temp: TempDb): LogRow[] {
  return temp.db.prepare('SELECT seq, op, hlc FROM _sync_log ORDER BY seq').safeIntegers(false).all() as LogRow[];
}

function insert(temp: TempDb, from: number, count: number): void {
  const statement = temp.db.prepare('INSERT INTO notes VALUES (?, ?)');
  temp.db.transaction(() => {
    for (let i = from; i < from + count; i += 1) statement.run(`n${i}`, `body ${i}`);
  })();
}

describe('the capture log after a fold', () => {
  let a: TempDb;
  let b: TempDb;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each([
    ['a small fold (rows deleted one range)', 10],
    ['a large fold (the log emptied at once)', 5000],
  ])('%s keeps only the last row, with its seq and clock; later writes go on from there and reach a peer', (_name, count) => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['notes'] }), enableCapture(b.db, { tables: ['notes'] })];
    insert(a, 0, count);
    const before = log(a);
    const last = before.at(-1) as LogRow;
    expect(before.length).toBeGreaterThanOrEqual(count);
    expect(ta.info().seq).toBe(last.seq); // folds
    const after = log(a);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ seq: last.seq, hlc: last.hlc });
    // The next write takes the next seq and a later clock, and nothing is folded twice.
    insert(a, count, 3);
    const next = log(a).slice(1);
    expect(next.map((row) => row.seq)).toEqual([last.seq + 1, last.seq + 2, last.seq + 3]);
    expect(next.every((row) => row.hlc > last.hlc)).toBe(true);
    expect(ta.info().seq).toBe(last.seq + 3);
    expect(a.db.prepare('SELECT count(*) FROM _sync_rows').pluck().safeIntegers(false).get()).toBe(count + 3);
    pullAll(ta, tb);
    expect(b.db.prepare('SELECT count(*) FROM notes').pluck().safeIntegers(false).get()).toBe(count + 3);
    expect(ta.readChanges(tb.pullCursor(ta.siteId), 1000, tb.siteId).changes).toEqual([]);
  });

  it('a large fold of updates and deletes (no bulk insert) is trimmed the same way', () => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['notes'] }), enableCapture(b.db, { tables: ['notes'] })];
    insert(a, 0, 3000);
    pullAll(ta, tb);
    a.db.transaction(() => {
      a.db.prepare("UPDATE notes SET body = 'edited'").run();
      a.db.prepare("DELETE FROM notes WHERE id LIKE 'n1%'").run();
    })();
    const last = log(a).at(-1) as LogRow;
    pullAll(ta, tb);
    expect(log(a)).toEqual([expect.objectContaining({ seq: last.seq, hlc: last.hlc })]);
    const rows = (temp: TempDb): unknown[] => temp.db.prepare('SELECT id, body FROM notes ORDER BY id').all();
    expect(rows(b)).toEqual(rows(a));
    expect(rows(a)).toHaveLength(3000 - 1111);
  });
});
