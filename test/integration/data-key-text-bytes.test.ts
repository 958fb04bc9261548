import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { tempDb, type TempDb } from '../helpers/data';
import { expectPageRefused } from '../helpers/refused-page';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const SCHEMA = `
CREATE TABLE pairs (k1 TEXT NOT NULL, k2 INTEGER NOT NULL, v TEXT, PRIMARY KEY (k1, k2)) WITHOUT ROWID;
CREATE TABLE single (id TEXT PRIMARY KEY NOT NULL, v TEXT);
`;
const SITE = 'a'.repeat(32);
/** The bytes ff 61: TEXT that is not UTF-8, as `{"$text"}` carries it. */
const NOT_UTF8 = { $text: Buffer.from([0xff, 0x61]).toString('base64') };

/** A page of one new row: protocol 1 or the compact page. */
function page(protocol: 1 | 2, schema: unknown, table: string, key: unknown[]): unknown {
  const hlc = (Date.now() - 1000) * 1024;
  if (protocol === 1) return { protocol, site: SITE, schema, sites: [SITE], changes: [{ table, key, cl: 1, hlc, site: 0, cells: { v: 'x' } }] };
  return { protocol, site: SITE, schema, sites: [SITE], tables: [{ table, columns: ['v'], rows: [[key.length === 1 ? key[0] : key, 1, hlc, 0, 'x']] }] };
}

describe('a key value that is TEXT but not UTF-8 ($text) is refused in every key, composite ones included', () => {
  let target: TempDb & { readonly tracker: ReturnType<typeof enableCapture> };
  let server: TestServer;
  let schema: unknown;

  beforeEach(async () => {
    const temp = tempDb(SCHEMA);
    target = { ...temp, tracker: enableCapture(temp.db, { tables: ['pairs', 'single'] }) };
    server = await startServer(makeApp({ database: target.db, tables: ['pairs', 'single'] }));
    schema = (await request(server.url).get('/api/sync/data/info').set('Authorization', `Bearer ${TEST_TOKEN}`)).body.schema;
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
  });

  // Before the fix a composite key took it: the row was stored under the TEXT ff 61 while its
  // clocks were kept under quote() of its bytes, X'FF61' (a BLOB), so the row never left the
  // server again: every page it served passed over it, and its peers never received it.
  it.each([1, 2] as const)('protocol %i: a composite key → 400 INVALID_VALUE, nothing written', async (protocol) => {
    await expectPageRefused(server.url, target, page(protocol, schema, 'pairs', [NOT_UTF8, 2]), 400, 'INVALID_VALUE');
  });

  it.each([1, 2] as const)('protocol %i: a one-column key → 400 INVALID_VALUE, nothing written', async (protocol) => {
    await expectPageRefused(server.url, target, page(protocol, schema, 'single', [NOT_UTF8]), 400, 'INVALID_VALUE');
  });

  it.each([1, 2] as const)('protocol %i: the same key as valid text is applied and served again', async (protocol) => {
    const response = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).send(page(protocol, schema, 'pairs', [{ $text: Buffer.from('ça').toString('base64') }, 2]) as object);
    expect(response.status).toBe(200);
    expect(target.tracker.readChanges(0, 10).changes.map((change) => change.key)).toEqual([['ça', 2]]);
  });
});
