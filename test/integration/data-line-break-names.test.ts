import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { dbDigest, tempDb, type TempDb } from '../helpers/data';
import { expectPageRefused } from '../helpers/refused-page';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

/** Tracked names SQLite takes that hold a line break (LF, CR, U+2028): `.` in a JSON Schema pattern matches none of them. */
const SCHEMA = 'CREATE TABLE "t\nu" (id TEXT PRIMARY KEY NOT NULL, "a\nb" TEXT, "c\rd" INTEGER, "e\u2028f" TEXT);';
const TABLE = 't\nu';
const SITE = 'a'.repeat(32);

describe('cells of columns whose names hold a line break are checked like any other (protocol 1)', () => {
  let target: TempDb & { readonly tracker: ReturnType<typeof enableCapture> };
  let server: TestServer;
  let schema: { fingerprint: string; tables: Record<string, unknown> };
  // One clock for the file: read twice, a millisecond passing between the cell's clock and the row's (a busy
  // machine) made the honest cell older than its row's birth, and the page was refused (CI saw it once).
  const clock = (Date.now() - 1000) * 1024;
  const hlc = (): number => clock;
  const page = (cells: Record<string, unknown>, schemaOf = schema): unknown => ({ protocol: 1, site: SITE, schema: schemaOf, sites: [SITE], changes: [{ table: TABLE, key: ['k'], cl: 1, hlc: hlc(), site: 0, cells }] });
  const whole = (cells: Record<string, unknown>): Record<string, unknown> => ({ 'a\nb': 'x', 'c\rd': 1, 'e\u2028f': 'y', ...cells });

  beforeEach(async () => {
    const temp = tempDb(SCHEMA);
    target = { ...temp, tracker: enableCapture(temp.db, { tables: [TABLE] }) };
    server = await startServer(makeApp({ database: target.db, tables: [TABLE] }));
    schema = (await request(server.url).get('/api/sync/data/info').set('Authorization', `Bearer ${TEST_TOKEN}`)).body.schema;
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
  });

  // Before the fix the schema's `^(.*)$` key pattern let such a cell through unchecked:
  // an object or a nested array as its value answered 500 INTERNAL, and a clocked cell
  // with a string for its hlc was applied (200), the string kept as the cell's clock.
  it.each([
    ['an object as the value', whole({ 'a\nb': { foo: 1 } })],
    ['an array in a clocked cell', whole({ 'c\rd': [[1], hlc() + 1, 0] })],
    ['a string hlc in a clocked cell', whole({ 'a\nb': ['x', 'h', 0] })],
    ['a clocked cell of five items', whole({ 'e\u2028f': ['x', hlc(), 0, 9, 9] })],
    ['a bad tag', whole({ 'e\u2028f': [{ $blob: 5 }, hlc(), 0] })],
  ])('%s → 400 INVALID_CHANGESET, nothing written', async (_name, cells) => {
    await expectPageRefused(server.url, target, page(cells), 400, 'INVALID_CHANGESET');
  });

  it("a sender's schema describing such a table with something else than columns → 400 INVALID_CHANGESET", async () => {
    await expectPageRefused(server.url, target, page(whole({}), { ...schema, tables: { [TABLE]: 5 } }), 400, 'INVALID_CHANGESET');
  });

  it('honest cells of such columns are applied and served again', async () => {
    const response = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).send(page(whole({ 'c\rd': [7, hlc() + 5, 0] })) as object);
    expect([response.status, response.body.applied]).toEqual([200, 1]);
    expect(target.tracker.readChanges(0, 10).changes[0]?.cells).toEqual({ 'a\nb': 'x', 'c\rd': [7, expect.any(Number) as unknown, 0], 'e\u2028f': 'y' });
  });
});

describe('a conflict resolution naming a column whose name holds a line break is checked like any other', () => {
  let target: TempDb & { readonly tracker: ReturnType<typeof enableCapture> };
  let server: TestServer;
  let id: string;

  beforeEach(async () => {
    const temp = tempDb('CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, "a\nb" UNIQUE);');
    target = { ...temp, tracker: enableCapture(temp.db, { tables: ['u'] }) };
    target.db.prepare('INSERT INTO u VALUES (?, ?)').run('x', 'v');
    const { schema } = target.tracker.readChanges(0, 10);
    // An earlier claim of the same value parks the local row.
    target.tracker.applyChangeset({ protocol: 1, site: SITE, schema, sites: [SITE], changes: [{ table: 'u', key: ['y'], cl: 1, hlc: 1_700_000_000_000 * 1024, site: 0, cells: { 'a\nb': 'v' } }] });
    id = target.tracker.listConflicts(undefined, 10)[0]?.id ?? '';
    server = await startServer(makeApp({ database: target.db, tables: ['u'] }));
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
  });

  // Before the fix these values skipped the schema: a tagged value with an extra field was
  // written, and the others were refused with a TypeError's words as the message.
  it.each([
    ['a tagged value with an extra field', { $int: '5', x: 1 }],
    ['an object', { foo: 1 }],
    ['an array', [1, 2]],
    ['a boolean', true],
  ])('%s → 400 INVALID_RESOLUTION from the schema check, nothing written', async (_name, value) => {
    target.tracker.fold();
    const before = dbDigest(target.db);
    const response = await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set('Authorization', `Bearer ${TEST_TOKEN}`).send({ action: 'restore', values: { 'a\nb': value } });
    expect([response.status, response.body.error?.code]).toEqual([400, 'INVALID_RESOLUTION']);
    expect(response.body.error.message).not.toMatch(/TypeError|Cannot use/);
    expect(dbDigest(target.db)).toBe(before);
  });
});
