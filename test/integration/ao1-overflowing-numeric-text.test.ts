import request from 'supertest';
import type Database from 'better-sqlite3';
import { nextMillisecond } from '../helpers/clock';
import { closeDataPair, startDataPair, type DataPair } from '../helpers/data-pair';
import { TEST_TOKEN } from '../helpers/server';

// SQLite stores numeric text too large for a REAL ('1e400') written to a REAL, NUMERIC or INTEGER column as
// ±Infinity, which JSON has no literal for. Such a cell travels as {"$real":"Infinity"} / {"$real":"-Infinity"}
// (docs/PROTOCOL.md), in a row of the table as in a parked one; in a TEXT or untyped column the text stays
// text and travels as a string: two servers end with the same classes and values.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SCHEMA = 'CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, r REAL, n NUMERIC, i INTEGER, t TEXT, a, u REAL UNIQUE);';

/** Every row (and parked row) of item, each cell as typeof and quote(). */
function cells(db: Database.Database, from = 'item'): unknown[] {
  return db.prepare(`SELECT id, typeof(r), quote(r), typeof(n), quote(n), typeof(i), quote(i), typeof(t), quote(t), typeof(a), quote(a), quote(u) FROM ${from} ORDER BY id`).raw(true).all();
}

describe("numeric text too large for a REAL ('1e400') between two servers", () => {
  let pair: DataPair;
  afterEach(async () => {
    await closeDataPair(pair);
  });

  it('travels as ±Infinity where the column stored it so, as text elsewhere; a row parked for it too: both servers hold the same', async () => {
    pair = await startDataPair(SCHEMA, SCHEMA, ['item']);
    const { here, there, server, node } = pair;
    here.db.exec("INSERT INTO item VALUES ('x', '1e400', '-1e400', '1e999', '1e400', '1e400', '1e400')");
    nextMillisecond();
    there.db.exec("INSERT INTO item VALUES ('z', 1, 1, 1, 1, 1, '9e999')"); // claims u = Infinity after x: parked
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });

    const page = await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH);
    expect(page.status).toBe(200);
    const x = (page.body.changes as { key: unknown[]; cells: unknown }[]).find((change) => change.key[0] === 'x');
    expect(x?.cells).toEqual({ r: { $real: 'Infinity' }, n: { $real: '-Infinity' }, i: { $real: 'Infinity' }, t: '1e400', a: '1e400', u: { $real: 'Infinity' } });
    expect(cells(here.db)).toEqual([['x', 'real', '9.0e+999', 'real', '-9.0e+999', 'real', '9.0e+999', 'text', "'1e400'", 'text', "'1e400'", '9.0e+999']]);
    expect(cells(there.db)).toEqual(cells(here.db));
    const conflicts = await request(server.url).get('/api/sync/data/conflicts').set(AUTH);
    expect(conflicts.body.conflicts).toEqual([expect.objectContaining({ key: ['z'], reason: 'UNIQUE', parked: expect.objectContaining({ u: { $real: 'Infinity' } }) })]);
    expect(node.tracker?.listConflicts().map(({ at: _at, ...entry }) => entry)).toEqual(conflicts.body.conflicts.map(({ at: _at, ...entry }: { at: string }) => entry));
  });
});
