import { enableCapture } from '../../../lib/data/capture';
import { keyFormRows, pullAll, syncToQuiescence, tempDb, trackedServers, type TempDb, type TrackedServer } from '../../helpers/data';

/**
 * `UPDATE OR REPLACE nodes SET id = 'n3' WHERE id = 'n1'` where n1 is a child
 * of n3 (ON DELETE CASCADE): REPLACE deletes n3 (no delete trigger), whose
 * cascade deletes n1, the row being moved, so no AFTER UPDATE trigger fires
 * either. The log held only n1's delete: n3 stayed alive in the metadata and
 * in no table (a ghost) on the writer, and alive on every peer for good.
 */
const SCHEMA = `
CREATE TABLE nodes (id TEXT PRIMARY KEY NOT NULL, parent TEXT REFERENCES nodes (id) ON DELETE CASCADE ON UPDATE CASCADE, pos INTEGER);
CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, up_a TEXT, up_b INTEGER, PRIMARY KEY (a, b), FOREIGN KEY (up_a, up_b) REFERENCES pairs (a, b) ON DELETE CASCADE) WITHOUT ROWID;
`;

function state(temp: TempDb): unknown[] {
  return [
    temp.db.prepare('SELECT * FROM nodes ORDER BY id').raw(true).all(),
    temp.db.prepare('SELECT * FROM pairs ORDER BY a, b').raw(true).all(),
    temp.db.prepare('SELECT count(*) FROM _sync_rows WHERE cl % 2 = 1').pluck().get(),
  ];
}

describe('a child moved onto its parent key by UPDATE OR REPLACE, the cascade deleting it too', () => {
  let a: TempDb;
  let b: TempDb;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each([['the tracker'], ['another connection']])('from %s: both rows are dead everywhere, no ghost', (via) => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['nodes', 'pairs'] }), enableCapture(b.db, { tables: ['nodes', 'pairs'] })];
    a.db.exec(`INSERT INTO nodes VALUES ('n3', NULL, 2), ('n1', 'n3', 2), ('n0', NULL, 1);
      INSERT INTO pairs VALUES ('p', 1, NULL, NULL), ('p', 2, 'p', 1), ('q', 1, NULL, NULL)`);
    pullAll(ta, tb);
    const writer = via === 'the tracker' ? a.db : a.connect();
    writer.pragma('foreign_keys = ON');
    writer.exec("UPDATE OR REPLACE nodes SET id = 'n3' WHERE id = 'n1'");
    writer.exec("UPDATE OR REPLACE pairs SET b = 1 WHERE a = 'p' AND b = 2");
    expect(state(a).slice(0, 2)).toEqual([[['n0', null, 1]], [['q', 1, null, null]]]);
    pullAll(ta, tb);
    expect(state(a)).toEqual([[['n0', null, 1]], [['q', 1, null, null]], 2]);
    expect(state(b)).toEqual(state(a));
  });

  it('a row moved onto a live key without a cascade is still that key written whole', () => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['nodes', 'pairs'] }), enableCapture(b.db, { tables: ['nodes', 'pairs'] })];
    a.db.exec("INSERT INTO nodes VALUES ('n3', NULL, 2), ('n1', NULL, 5)");
    pullAll(ta, tb);
    a.db.exec("UPDATE OR REPLACE nodes SET id = 'n3' WHERE id = 'n1'");
    pullAll(ta, tb);
    expect(state(a)).toEqual([[['n3', null, 5]], [], 1]);
    expect(state(b)).toEqual(state(a));
  });
});

/**
 * The same move by `SET k = NULL`, the key's DEFAULT the parent's key: REPLACE stores the DEFAULT, as the
 * column's affinity makes it (`'7'` is the INTEGER 7 in an INT key), after the key trigger saw the NULL.
 * The trigger read only a number DEFAULT there: with a string one (or any DEFAULT of a TEXT key) it saw no
 * row held, and the parent stayed alive on the peer for good (a missed delete).
 */
const DEFAULTS_SCHEMA = `
CREATE TABLE ints (k INT NOT NULL DEFAULT '7' PRIMARY KEY, up INT REFERENCES ints (k) ON DELETE CASCADE, v TEXT);
CREATE TABLE words (k TEXT NOT NULL DEFAULT 'n7' PRIMARY KEY, up TEXT REFERENCES words (k) ON DELETE CASCADE, v TEXT);
CREATE TABLE numbers (k INT NOT NULL DEFAULT 7 PRIMARY KEY, up INT REFERENCES numbers (k) ON DELETE CASCADE, v TEXT);
`;

describe('a child moved onto its parent key by UPDATE OR REPLACE SET k = NULL, the DEFAULT its parent key', () => {
  let servers: TrackedServer[];
  beforeEach(() => {
    servers = trackedServers(2, DEFAULTS_SCHEMA, ['ints', 'words', 'numbers']);
  });
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  it.each([
    ['ints', "DEFAULT '7' of an INT key", 7, 5, 1],
    ['words', "DEFAULT 'n7' of a TEXT key", 'n7', 'n5', 'n1'],
    ['numbers', 'DEFAULT 7 of an INT key (read before too)', 7, 5, 1],
  ])('%s, %s: both rows are dead everywhere, no ghost', (table, _name, parent, child, other) => {
    const [a, b] = servers as [TrackedServer, TrackedServer];
    a.temp.db.prepare(`INSERT INTO ${table} VALUES (?, NULL, 'parent'), (?, ?, 'child'), (?, NULL, 'other')`).run(parent, child, parent, other);
    syncToQuiescence([a.tracker, b.tracker]);
    a.temp.db.prepare(`UPDATE OR REPLACE ${table} SET k = NULL WHERE k = ?`).run(child);
    syncToQuiescence([a.tracker, b.tracker]);
    const alive = typeof other === 'number' ? BigInt(other) : other;
    for (const server of servers) {
      expect(keyFormRows(server.temp.db, table).map((row) => (row as unknown[])[3])).toEqual([alive]);
      expect(server.temp.db.prepare('SELECT count(*) FROM _sync_rows WHERE cl % 2 = 1').pluck().get()).toBe(1); // no ghost of the parent
    }
  });
});
