import request from 'supertest';
import type Database from 'better-sqlite3';
import { TEST_TOKEN } from '../helpers/server';
import { pullOverHttp, startHttpDataPair, type HttpDataPair, type HttpDataPeer } from '../helpers/http-data-pair';

// A composite key's metadata was built with SQLite's quote(), which stops at a NUL
// character: the keys ('e1', 'red') and ('e1', 'red<NUL>x') were one row to the sync.
const SCHEMA = 'CREATE TABLE scores (event TEXT NOT NULL, team TEXT NOT NULL, points INTEGER, PRIMARY KEY (event, team));';
const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

function rows(db: Database.Database): unknown[] {
  return db.prepare('SELECT hex(event), hex(team), points FROM scores ORDER BY 1, 2').raw(true).all();
}

describe('a composite key holding TEXT with a NUL character is a row of its own', () => {
  let pair: HttpDataPair;
  let a: HttpDataPeer;
  let b: HttpDataPeer;
  beforeEach(async () => {
    pair = await startHttpDataPair(SCHEMA, { tables: ['scores'] });
    ({ a, b } = pair);
  });
  afterEach(() => pair.close());

  it('both rows reach a peer, and deleting one deletes only that one there', async () => {
    const other = a.temp.connect(); // any connection is captured
    const insert = other.prepare('INSERT INTO scores VALUES (?, ?, ?)');
    insert.run('e1', 'red', 5);
    insert.run('e1', 'red\u0000x', 7);
    const cursor = await pullOverHttp(a, b, 0, 1);
    expect(rows(b.temp.db)).toEqual(rows(a.temp.db));
    expect(rows(b.temp.db)).toHaveLength(2);

    other.prepare('DELETE FROM scores WHERE team = ?').run('red\u0000x');
    await pullOverHttp(a, b, cursor, 1);
    expect(rows(a.temp.db)).toEqual([[Buffer.from('e1').toString('hex').toUpperCase(), Buffer.from('red').toString('hex').toUpperCase(), 5]]);
    expect(rows(b.temp.db)).toEqual(rows(a.temp.db));
  });

  it('a page naming such a key creates that row beside the one without the NUL, and it is served back as sent', async () => {
    b.temp.db.prepare('INSERT INTO scores VALUES (?, ?, ?)').run('e1', 'blue', 1);
    const { schema } = (await request(b.server.url).get('/api/sync/data/info').set(auth).expect(200)).body as { schema: unknown };
    const site = 'c'.repeat(32);
    const hlc = (Date.now() - 1000) * 1024;
    const page = { protocol: 1, site, schema, sites: [site], changes: [{ table: 'scores', key: ['e1', 'blue\u0000'], cl: 1, hlc, site: 0, cells: { points: 2 } }] };
    await request(b.server.url).post('/api/sync/data/changes').set(auth).send(page).expect(200);
    expect(b.temp.db.prepare('SELECT team, points FROM scores ORDER BY team').raw(true).all()).toEqual([['blue', 1], ['blue\u0000', 2]]);

    const served = await request(b.server.url).get('/api/sync/data/changes?since=0').set(auth).expect(200);
    const keys = (served.body.changes as { key: unknown[]; cells: { points: unknown } }[]).map((change) => [change.key, change.cells.points]);
    expect(keys).toEqual(expect.arrayContaining([[['e1', 'blue'], 1], [['e1', 'blue\u0000'], 2]]));
    expect(keys).toHaveLength(2);
  });
});
