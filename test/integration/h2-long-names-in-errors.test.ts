import request from 'supertest';
import { captureLog } from '../helpers/log';
import { dbDigest, tempDb, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const SITE = 'e'.repeat(32);
/** A name of 4 MiB: the JSON Schema bounds neither a cell's name nor a table's in schema.tables. */
const HUGE = 'x'.repeat(4 * 1024 * 1024);

describe('a huge table or column name is refused without being echoed whole', () => {
  let temp: TempDb;
  let server: TestServer;
  let log: ReturnType<typeof captureLog>;
  let schema: { fingerprint: string; tables: Record<string, unknown> };
  beforeEach(async () => {
    temp = tempDb(TEST_SCHEMA);
    log = captureLog();
    server = await startServer(makeApp({ database: temp.db, tables: ['teams', 'reports'], logger: log.logger }));
    schema = (await request(server.url).get('/api/sync/data/info').set(auth).expect(200)).body.schema;
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  // Before: the answer (and, for the 409, the request.refused log line) held the whole 4 MiB name.
  it.each([
    ['a cell named by it: 400 UNKNOWN_COLUMN', 400, 'UNKNOWN_COLUMN', () => ({ schema, changes: [{ table: 'teams', key: ['t1'], cl: 1, hlc: 1024, site: 0, cells: { [HUGE]: 1 } }] })],
    ['a table of schema.tables named by it: 409 SCHEMA_MISMATCH', 409, 'SCHEMA_MISMATCH', () => ({ schema: { ...schema, tables: { ...schema.tables, [HUGE]: [['id', 'TEXT', 1]] } }, changes: [] })],
  ] as const)('%s, the message under 2 KB, nothing written', async (_name, status, code, body) => {
    const before = dbDigest(temp.db);
    const response = await request(server.url).post('/api/sync/data/changes').set(auth).send({ protocol: 1, site: SITE, sites: [SITE], ...body() });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toContain('xxxxxxxx');
    expect(response.body.error.message.length).toBeLessThan(2048);
    expect(dbDigest(temp.db)).toBe(before);
    for (const line of log.events('request.refused')) expect(JSON.stringify(line).length).toBeLessThan(4096);
  });
});
