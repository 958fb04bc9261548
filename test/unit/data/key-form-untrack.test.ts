import { enableCapture } from '../../../lib/data/capture';
import { tempDb, type TempDb } from '../../helpers/data';

/**
 * A table dropped from `tables` loses every capture trigger, the reform trigger (`_sync_<id>_reform`,
 * which reads the table's parked rows, dropped with it) included: a trigger left behind would log op 5
 * rows of a table nobody tracks, and fail every insert once its parked rows' table is gone.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, u TEXT UNIQUE, v TEXT);
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE words (id TEXT NOT NULL PRIMARY KEY, v TEXT);
`;

describe('untracking a table whose key holds two forms', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = tempDb(SCHEMA);
  });
  afterEach(() => temp.cleanup());

  const syncTriggersOn = (table: string): unknown[] =>
    temp.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '\\_sync\\_%' ESCAPE '\\' ORDER BY name").pluck().all(table);

  it.each([
    ['loose', 1n, 1.0],
    ['ints', -9223372036854775808n, -9223372036854775808],
  ])('%s: no capture trigger is left, and a REPLACE in another form writes nothing to the log', (table, integer, real) => {
    enableCapture(temp.db, { tables: ['loose', 'ints', 'words'] });
    expect(syncTriggersOn(table)).toContainEqual(expect.stringMatching(/_reform$/));
    enableCapture(temp.db, { tables: ['words'] });
    expect(syncTriggersOn(table)).toEqual([]);
    const logged = (): unknown => temp.db.prepare('SELECT count(*) FROM _sync_log').pluck().get();
    const before = logged();
    temp.db.prepare(`INSERT INTO ${table} (k, v) VALUES (?, 'integer')`).run(integer);
    temp.db.prepare(`INSERT OR REPLACE INTO ${table} (k, v) VALUES (?, 'real')`).run(real);
    expect(temp.db.prepare(`SELECT typeof(k), v FROM ${table}`).raw(true).all()).toEqual([['real', 'real']]);
    expect(logged()).toBe(before);
  });
});
