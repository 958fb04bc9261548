import { enableCapture } from '../../../lib/data/capture';
import { dbDigest, tempDb, type TempDb } from '../../helpers/data';

// An early page (since beyond the stored cursor) passes over a row whose
// cells come before its birth, and its later changes on the page too, so that
// applying it twice does what applying it once did. "The same row" is the row
// the metadata and the table know: in a key column without affinity SQLite
// holds INTEGER 1 and REAL 1.0 as one key, so a hostile page naming the row
// as `1` and then as `{"$real":1}` names it twice.
const SENDER = '1'.repeat(32);
const T0 = 1_700_000_000_000 * 1024;

describe('an early page naming one row under two spellings of its key', () => {
  let temp: TempDb;
  afterEach(() => temp.cleanup());

  it.each([
    ['INTEGER then REAL', [1], [{ $real: 1 }]],
    ['REAL then INTEGER', [{ $real: 1 }], [1]],
    ['-0.0 then 0', [{ $real: '-0' }], [0]],
  ])('%s: applying it twice equals applying it once (the row is passed over both times)', (_, cellsKey, birthKey) => {
    temp = tempDb('CREATE TABLE t (id PRIMARY KEY NOT NULL, a, b);');
    const tracker = enableCapture(temp.db, { tables: ['t'] });
    const page = {
      protocol: 1,
      site: SENDER,
      schema: tracker.info().schema,
      since: 5,
      next: 10,
      sites: [SENDER],
      changes: [
        { table: 't', key: cellsKey, cl: 1, hlc: T0 + 5, site: 0, cells: { a: 'later cell' } },
        { table: 't', key: birthKey, cl: 1, hlc: T0 + 1, site: 0, cells: { a: 'born', b: 'born' } },
      ],
    };
    expect(tracker.applyChangeset(page)).toMatchObject({ received: 2, applied: 0, ignored: 2 });
    const once = dbDigest(temp.db);
    expect(tracker.applyChangeset(page)).toMatchObject({ received: 2, applied: 0, ignored: 2 });
    expect(dbDigest(temp.db)).toBe(once);
    expect(temp.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    expect(tracker.pullCursor(SENDER)).toBe(0);
  });
});
