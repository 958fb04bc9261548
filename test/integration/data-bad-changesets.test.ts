import request from 'supertest';
import type { WireChangeset } from '../../lib/data/changeset';
import { dbDigest, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { expectPageRefused } from '../helpers/refused-page';

type Body = string | ((base: WireChangeset) => unknown);

/** A valid changeset from another database: one new team and one new report. */
function baseChangeset(): WireChangeset {
  const source = trackedDb();
  try {
    source.db.exec("INSERT INTO teams VALUES ('t2', 'Sprockets', 1114, 2.5, NULL)");
    source.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('r2', 't2', 'Q2', 'bo', 3)");
    return source.tracker.readChanges(0, 100);
  } finally {
    source.cleanup();
  }
}

const clone = (base: WireChangeset): WireChangeset => structuredClone(base);
const firstChange = (changeset: WireChangeset) => changeset.changes[0]!;
const withCells = (base: WireChangeset, cells: Record<string, unknown>): unknown => {
  const changeset = clone(base);
  Object.assign(firstChange(changeset).cells!, cells);
  return changeset;
};
const future = (): number => (Date.now() + 3_600_000) * 1024;

const CASES: ReadonlyArray<readonly [string, Body, number, string]> = [
  ['malformed JSON', '{"protocol":1,', 400, 'MALFORMED_JSON'],
  ['a NaN literal', '{"protocol":1,"hlc":NaN}', 400, 'MALFORMED_JSON'],
  ['an Infinity literal', '{"protocol":1,"hlc":Infinity}', 400, 'MALFORMED_JSON'],
  ['a JSON array', '[]', 400, 'INVALID_CHANGESET'],
  ['a JSON string', '"changes"', 400, 'INVALID_CHANGESET'],
  ['no protocol', (b) => ({ ...clone(b), protocol: undefined }), 400, 'INVALID_CHANGESET'],
  ['protocol 3', (b) => ({ ...clone(b), protocol: 3 }), 400, 'UNSUPPORTED_PROTOCOL'],
  ['protocol 2 with protocol 1 changes', (b) => ({ ...clone(b), protocol: 2 }), 400, 'INVALID_CHANGESET'],
  ['protocol "1"', (b) => ({ ...clone(b), protocol: '1' }), 400, 'UNSUPPORTED_PROTOCOL'],
  ['no changes', (b) => ({ ...clone(b), changes: undefined }), 400, 'INVALID_CHANGESET'],
  ['no sites', (b) => ({ ...clone(b), sites: undefined }), 400, 'INVALID_CHANGESET'],
  ['a site id that is not hex', (b) => ({ ...clone(b), sites: ['not-a-site'] }), 400, 'INVALID_CHANGESET'],
  ['an unknown top-level field', (b) => ({ ...clone(b), sql: 'DROP TABLE teams' }), 400, 'INVALID_CHANGESET'],
  ['a schema with an extra column', (b) => { const c = clone(b); c.schema.tables.teams!.push(['coach', 'TEXT', 0]); return c; }, 409, 'SCHEMA_MISMATCH'],
  ['a schema without a table', (b) => { const c = clone(b); delete c.schema.tables.reports; return c; }, 409, 'SCHEMA_MISMATCH'],
  ['a forged fingerprint', (b) => ({ ...clone(b), schema: { ...b.schema, fingerprint: '0'.repeat(64) } }), 409, 'SCHEMA_MISMATCH'],
  ['an unknown table', (b) => { const c = clone(b); firstChange(c).table = 'players'; return c; }, 400, 'UNKNOWN_TABLE'],
  ['SQL in a table name', (b) => { const c = clone(b); firstChange(c).table = 'teams; DROP TABLE reports; --'; return c; }, 400, 'UNKNOWN_TABLE'],
  ['a quoted table name', (b) => { const c = clone(b); firstChange(c).table = '"teams"'; return c; }, 400, 'UNKNOWN_TABLE'],
  ['an unknown column', (b) => withCells(b, { coach: 'x' }), 400, 'UNKNOWN_COLUMN'],
  ['SQL in a column name', (b) => withCells(b, { 'name" = 1; DROP TABLE teams; --': 'x' }), 400, 'UNKNOWN_COLUMN'],
  ['__proto__ as a column name', (b) => JSON.stringify(withCells(b, { zzproto: 'x' })).replace('"zzproto"', '"__proto__"'), 400, 'UNKNOWN_COLUMN'],
  ['constructor as a column name', (b) => withCells(b, { constructor: 'x' }), 400, 'UNKNOWN_COLUMN'],
  ['a key column among the cells', (b) => withCells(b, { id: 't9' }), 400, 'INVALID_CHANGESET'],
  ['a key of the wrong length', (b) => { const c = clone(b); firstChange(c).key = ['t2', 'extra']; return c; }, 400, 'INVALID_CHANGESET'],
  ['a null key', (b) => { const c = clone(b); firstChange(c).key = [null]; return c; }, 400, 'INVALID_VALUE'],
  ['an INTEGER key for a TEXT key column (stored as text: two identities)', (b) => { const c = clone(b); firstChange(c).key = [5]; return c; }, 400, 'INVALID_VALUE'],
  ['a key with a lone surrogate (no UTF-8 form)', (b) => { const c = clone(b); firstChange(c).key = ['t2\ud800']; return c; }, 400, 'INVALID_VALUE'],
  ['a value with a lone surrogate', (b) => withCells(b, { name: 'x\udc00y' }), 400, 'INVALID_VALUE'],
  ['cl 0', (b) => { const c = clone(b); firstChange(c).cl = 0; return c; }, 400, 'INVALID_CHANGESET'],
  ['cl as a string', (b) => { const c = clone(b) as unknown as { changes: { cl: unknown }[] }; c.changes[0]!.cl = '1'; return c; }, 400, 'INVALID_CHANGESET'],
  ['a negative hlc', (b) => { const c = clone(b); firstChange(c).hlc = -1; return c; }, 400, 'INVALID_CHANGESET'],
  ['a fractional hlc', (b) => { const c = clone(b); firstChange(c).hlc = 1.5; return c; }, 400, 'INVALID_CHANGESET'],
  ['an hlc beyond 2^53', (b) => { const c = clone(b); firstChange(c).hlc = 2 ** 60; return c; }, 400, 'INVALID_CHANGESET'],
  ['1e999 (Infinity) as a value', (b) => JSON.stringify(withCells(b, { rating: 12345 })).replace('12345', '1e999'), 400, 'INVALID_CHANGESET'],
  ['{"$real": "NaN"}', (b) => withCells(b, { rating: { $real: 'NaN' } }), 400, 'INVALID_CHANGESET'],
  ['an integer beyond 2^53 as a plain number', (b) => JSON.stringify(withCells(b, { number: 12345 })).replace('12345', '9007199254740993'), 400, 'UNSAFE_INTEGER'],
  ['an $int beyond 64 bits', (b) => withCells(b, { number: { $int: '99999999999999999999' } }), 400, 'INVALID_VALUE'],
  ['an $int of 30 digits (far beyond 64 bits: still a value out of range)', (b) => withCells(b, { number: { $int: '9'.repeat(30) } }), 400, 'INVALID_VALUE'],
  ['an $int of 41 digits (longer than any 64-bit integer can be written)', (b) => withCells(b, { number: { $int: '9'.repeat(41) } }), 400, 'INVALID_CHANGESET'],
  ['an $int that is not digits', (b) => withCells(b, { number: { $int: '12a' } }), 400, 'INVALID_CHANGESET'],
  ['a $blob that is not base64', (b) => withCells(b, { logo: { $blob: 'not base64!' } }), 400, 'INVALID_CHANGESET'],
  ['a tagged value with an extra field', (b) => withCells(b, { number: { $int: '1', x: 1 } }), 400, 'INVALID_CHANGESET'],
  ['an object as a value', (b) => withCells(b, { name: { toString: 'x' } }), 400, 'INVALID_CHANGESET'],
  ['a site index out of range', (b) => { const c = clone(b); firstChange(c).site = 7; return c; }, 400, 'INVALID_CHANGESET'],
  ['a row clock from the future', (b) => { const c = clone(b); firstChange(c).hlc = future(); return c; }, 422, 'CLOCK_SKEW'],
  ['a cell clock older than its row clock', (b) => withCells(b, { name: ['x', 5, 0] }), 400, 'INVALID_CHANGESET'],
  ['a cell clock from the future', (b) => withCells(b, { name: ['x', future(), 0] }), 422, 'CLOCK_SKEW'],
  ['a deleted row with cells', (b) => { const c = clone(b); firstChange(c).cl = 2; return c; }, 400, 'INVALID_CHANGESET'],
  ['a new row without every column', (b) => { const c = clone(b); firstChange(c).cells = { name: 'x' }; return c; }, 422, 'INCOMPLETE_ROW'],
  ['NULL in a NOT NULL column', (b) => withCells(b, { name: null }), 400, 'INVALID_VALUE'],
  ['a bad change after a good one', (b) => { const c = clone(b); c.changes[1]!.cells!.nope = 1; return c; }, 400, 'UNKNOWN_COLUMN'],
  // Each change is checked as it is decoded (no second pass over the page): every shape the schema refuses is still refused, wherever it is.
  ['null as a change', (b) => ({ ...clone(b), changes: [null] }), 400, 'INVALID_CHANGESET'],
  ['an array as a change', (b) => ({ ...clone(b), changes: [firstChange(b), ['teams', ['t3'], 1, 1, 0]] }), 400, 'INVALID_CHANGESET'],
  ['a number as a later change', (b) => ({ ...clone(b), changes: [...clone(b).changes, 5] }), 400, 'INVALID_CHANGESET'],
  ['an unknown property in a change', (b) => { const c = clone(b) as unknown as { changes: Record<string, unknown>[] }; c.changes[1]!.sql = 'x'; return c; }, 400, 'INVALID_CHANGESET'],
  ['__proto__ as a property of a change', (b) => { const c = clone(b) as unknown as { changes: Record<string, unknown>[] }; c.changes[0]!.zzproto = {}; return JSON.stringify(c).replace('"zzproto"', '"__proto__"'); }, 400, 'INVALID_CHANGESET'],
  ['a table name that is a number', (b) => { const c = clone(b) as unknown as { changes: { table: unknown }[] }; c.changes[0]!.table = 7; return c; }, 400, 'INVALID_CHANGESET'],
  ['an empty table name', (b) => { const c = clone(b); firstChange(c).table = ''; return c; }, 400, 'INVALID_CHANGESET'],
  ['a table name of 1025 characters', (b) => { const c = clone(b); firstChange(c).table = 't'.repeat(1025); return c; }, 400, 'INVALID_CHANGESET'],
  ['a key that is a string, not an array', (b) => { const c = clone(b) as unknown as { changes: { key: unknown }[] }; c.changes[0]!.key = 't2'; return c; }, 400, 'INVALID_CHANGESET'],
  ['an empty key', (b) => { const c = clone(b); firstChange(c).key = []; return c; }, 400, 'INVALID_CHANGESET'],
  ['a key of 65 values', (b) => { const c = clone(b); firstChange(c).key = Array.from({ length: 65 }, () => 't2'); return c; }, 400, 'INVALID_CHANGESET'],
  ['true as a key value', (b) => { const c = clone(b) as unknown as { changes: { key: unknown[] }[] }; c.changes[0]!.key = [true]; return c; }, 400, 'INVALID_CHANGESET'],
  ['an array as a key value', (b) => { const c = clone(b) as unknown as { changes: { key: unknown[] }[] }; c.changes[0]!.key = [['t2']]; return c; }, 400, 'INVALID_CHANGESET'],
  ['cl beyond 2^50', (b) => { const c = clone(b); firstChange(c).cl = 2 ** 50 + 1; return c; }, 400, 'INVALID_CHANGESET'],
  ['a fractional cl', (b) => { const c = clone(b); firstChange(c).cl = 1.5; return c; }, 400, 'INVALID_CHANGESET'],
  ['a site index as a string', (b) => { const c = clone(b) as unknown as { changes: { site: unknown }[] }; c.changes[0]!.site = '0'; return c; }, 400, 'INVALID_CHANGESET'],
  ['an hlc as a string', (b) => { const c = clone(b) as unknown as { changes: { hlc: unknown }[] }; c.changes[0]!.hlc = String(firstChange(b).hlc); return c; }, 400, 'INVALID_CHANGESET'],
  ['cells as an array', (b) => { const c = clone(b) as unknown as { changes: { cells: unknown }[] }; c.changes[0]!.cells = ['Sprockets']; return c; }, 400, 'INVALID_CHANGESET'],
  ['cells as null', (b) => { const c = clone(b) as unknown as { changes: { cells: unknown }[] }; c.changes[0]!.cells = null; return c; }, 400, 'INVALID_CHANGESET'],
  ['cells as a string', (b) => { const c = clone(b) as unknown as { changes: { cells: unknown }[] }; c.changes[0]!.cells = 'name'; return c; }, 400, 'INVALID_CHANGESET'],
  ['true as a value', (b) => withCells(b, { rating: true }), 400, 'INVALID_CHANGESET'],
  ['a cell of two items', (b) => withCells(b, { name: ['x', firstChange(b).hlc + 1] }), 400, 'INVALID_CHANGESET'],
  ['a cell of four items', (b) => withCells(b, { name: ['x', firstChange(b).hlc + 1, 0, 0] }), 400, 'INVALID_CHANGESET'],
  ['a cell clock as a string', (b) => withCells(b, { name: ['x', String(firstChange(b).hlc + 1), 0] }), 400, 'INVALID_CHANGESET'],
  ['an array as a clocked value', (b) => withCells(b, { name: [['x'], firstChange(b).hlc + 1, 0] }), 400, 'INVALID_CHANGESET'],
  ['a bad value in the last change', (b) => { const c = clone(b); const last = c.changes[c.changes.length - 1]!; last.cells = { ...last.cells, score: { $int: 'x' } }; return c; }, 400, 'INVALID_CHANGESET'],
  ['a body over maxChangesetBytes', (b) => withCells(b, { name: 'x'.repeat(70_000) }), 413, 'BODY_TOO_LARGE'],
];

describe('POST /data/changes refuses bad changesets and changes nothing', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  let base: WireChangeset;

  beforeAll(() => {
    base = baseChangeset();
  });
  beforeEach(async () => {
    target = trackedDb();
    target.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, x'00ff')");
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'], maxChangesetBytes: 64 * 1024 }));
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
  });

  it('accepts the untouched base changeset (so every refusal below is about its one defect)', async () => {
    const probe = trackedDb();
    try {
      expect(probe.tracker.applyChangeset(base)).toMatchObject({ applied: 2, conflicts: [] });
    } finally {
      probe.cleanup();
    }
  });

  it.each(CASES.map(([name, body, status, code]) => [name, status, code, body] as const))('%s → %i %s', async (_name, status, code, body) => {
    await expectPageRefused(server.url, target, typeof body === 'string' ? body : body(base), status, code);
  });

  it('names the differing column in a schema mismatch', async () => {
    const changeset = clone(base);
    changeset.schema.tables.teams!.push(['coach', 'TEXT', 0]);
    const response = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).send(changeset);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('teams.coach exists only on the sender');
  });

  it('refuses a body that is not JSON with 415 and changes nothing', async () => {
    const before = dbDigest(target.db);
    const response = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).set('Content-Type', 'text/plain').send('hello');
    expect([response.status, response.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(dbDigest(target.db)).toBe(before);
  });

  it('refuses a peer without the token', async () => {
    const response = await request(server.url).post('/api/sync/data/changes').send(base);
    expect([response.status, response.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });
});
