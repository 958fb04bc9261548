import request from 'supertest';
import type { CompactChangeset } from '../../lib/data/compact-schema';
import { trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { expectPageRefused } from '../helpers/refused-page';

type Body = string | ((base: CompactChangeset) => unknown);

/** A valid compact page from another database: one new team and one new report. */
function baseChangeset(): CompactChangeset {
  const source = trackedDb();
  try {
    source.db.exec("INSERT INTO teams VALUES ('t2', 'Sprockets', 1114, 2.5, NULL)");
    source.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('r2', 't2', 'Q2', 'bo', 3)");
    return source.tracker.readCompactChanges(0, 100);
  } finally {
    source.cleanup();
  }
}

const clone = (base: CompactChangeset): CompactChangeset => structuredClone(base);
/** The teams table of a page and its first row, as plain arrays to break. */
const teams = (changeset: CompactChangeset): { columns: string[]; row: unknown[] } => {
  const table = changeset.tables.find((entry) => entry.table === 'teams')!;
  return { columns: table.columns, row: table.rows[0] as unknown[] };
};
const withRow = (base: CompactChangeset, edit: (row: unknown[], columns: string[]) => void): unknown => {
  const changeset = clone(base);
  const { row, columns } = teams(changeset);
  edit(row, columns);
  return changeset;
};
const cell = (columns: string[], name: string): number => 4 + columns.indexOf(name);
const future = (): number => (Date.now() + 3_600_000) * 1024;

const CASES: ReadonlyArray<readonly [string, Body, number, string]> = [
  ['protocol 3', (b) => ({ ...clone(b), protocol: 3 }), 400, 'UNSUPPORTED_PROTOCOL'],
  ['protocol 1 with compact tables', (b) => ({ ...clone(b), protocol: 1 }), 400, 'INVALID_CHANGESET'],
  ['no tables', (b) => ({ ...clone(b), tables: undefined }), 400, 'INVALID_CHANGESET'],
  ['tables and changes', (b) => ({ ...clone(b), changes: [] }), 400, 'INVALID_CHANGESET'],
  ['a table with an extra field', (b) => { const c = clone(b); Object.assign(c.tables[0]!, { sql: 'DROP TABLE teams' }); return c; }, 400, 'INVALID_CHANGESET'],
  ['a schema with an extra column', (b) => { const c = clone(b); c.schema.tables.teams!.push(['coach', 'TEXT', 0]); return c; }, 409, 'SCHEMA_MISMATCH'],
  ['an unknown table', (b) => { const c = clone(b); c.tables[0]!.table = 'players'; return c; }, 400, 'UNKNOWN_TABLE'],
  ['SQL in a table name', (b) => { const c = clone(b); c.tables[0]!.table = 'teams; DROP TABLE reports; --'; return c; }, 400, 'UNKNOWN_TABLE'],
  ['an unknown column', (b) => { const c = clone(b); teams(c).columns[0] = 'coach'; return c; }, 400, 'UNKNOWN_COLUMN'],
  ['__proto__ as a column', (b) => { const c = clone(b); teams(c).columns[0] = '__proto__'; return c; }, 400, 'UNKNOWN_COLUMN'],
  ['a key column among the columns', (b) => { const c = clone(b); teams(c).columns[0] = 'id'; return c; }, 400, 'INVALID_CHANGESET'],
  ['a column named twice', (b) => { const c = clone(b); teams(c).columns[1] = teams(c).columns[0]!; return c; }, 400, 'INVALID_CHANGESET'],
  ['a row shorter than its head', (b) => withRow(b, (row) => row.splice(3)), 400, 'INVALID_CHANGESET'],
  ['more cells than columns', (b) => withRow(b, (row) => row.push('extra')), 400, 'INVALID_CHANGESET'],
  ['a key as an array of two', (b) => withRow(b, (row) => (row[0] = ['t2', 'x'])), 400, 'INVALID_CHANGESET'],
  ['a key that is an object', (b) => withRow(b, (row) => (row[0] = { id: 't2' })), 400, 'INVALID_CHANGESET'],
  ['a null key', (b) => withRow(b, (row) => (row[0] = null)), 400, 'INVALID_VALUE'],
  ['an INTEGER key for a TEXT key column (stored as text: two identities)', (b) => withRow(b, (row) => (row[0] = 5)), 400, 'INVALID_VALUE'],
  ['an $int key for a TEXT key column', (b) => withRow(b, (row) => (row[0] = { $int: '6' })), 400, 'INVALID_VALUE'],
  ['a $real key for a TEXT key column', (b) => withRow(b, (row) => (row[0] = { $real: 7.5 })), 400, 'INVALID_VALUE'],
  ['a key with a lone surrogate (no UTF-8 form)', (b) => withRow(b, (row) => (row[0] = 't2\ud800')), 400, 'INVALID_VALUE'],
  ['a value with a lone surrogate', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = 'x\udc00y')), 400, 'INVALID_VALUE'],
  ['cl 0', (b) => withRow(b, (row) => (row[1] = 0)), 400, 'INVALID_CHANGESET'],
  ['cl as a string', (b) => withRow(b, (row) => (row[1] = '1')), 400, 'INVALID_CHANGESET'],
  ['a negative hlc', (b) => withRow(b, (row) => (row[2] = -1)), 400, 'INVALID_CHANGESET'],
  ['a fractional hlc', (b) => withRow(b, (row) => (row[2] = 1.5)), 400, 'INVALID_CHANGESET'],
  ['an hlc beyond 2^53', (b) => withRow(b, (row) => (row[2] = 2 ** 60)), 400, 'INVALID_CHANGESET'],
  ['a site index out of range', (b) => withRow(b, (row) => (row[3] = 7)), 400, 'INVALID_CHANGESET'],
  ['a row clock from the future', (b) => withRow(b, (row) => (row[2] = future())), 422, 'CLOCK_SKEW'],
  ['an object as a value', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = { toString: 'x' })), 400, 'INVALID_CHANGESET'],
  ['an array of two as a cell', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = ['x', 1])), 400, 'INVALID_CHANGESET'],
  ['an $int beyond 64 bits', (b) => withRow(b, (row, columns) => (row[cell(columns, 'number')] = { $int: '99999999999999999999' })), 400, 'INVALID_VALUE'],
  ['a $blob that is not base64', (b) => withRow(b, (row, columns) => (row[cell(columns, 'logo')] = { $blob: 'not base64!' })), 400, 'INVALID_CHANGESET'],
  ['an integer beyond 2^53 as a plain number', (b) => JSON.stringify(withRow(b, (row, columns) => (row[cell(columns, 'number')] = 12345))).replace('12345', '9007199254740993'), 400, 'UNSAFE_INTEGER'],
  ['1e999 (Infinity) as a value', (b) => JSON.stringify(withRow(b, (row, columns) => (row[cell(columns, 'rating')] = 12345))).replace('12345', '1e999'), 400, 'INVALID_CHANGESET'],
  ['a cell clock older than its row clock', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = ['x', 5, 0])), 400, 'INVALID_CHANGESET'],
  ['a cell clock from the future', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = ['x', future(), 0])), 422, 'CLOCK_SKEW'],
  ['a deleted row with cells', (b) => withRow(b, (row) => (row[1] = 2)), 400, 'INVALID_CHANGESET'],
  ['a new row without every column', (b) => withRow(b, (row, columns) => (row[cell(columns, 'number')] = [])), 422, 'INCOMPLETE_ROW'],
  ['NULL in a NOT NULL column', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = null)), 400, 'INVALID_VALUE'],
  ['a bad row after a good one', (b) => { const c = clone(b); const reports = c.tables.find((t) => t.table === 'reports')!; (reports.rows[0] as unknown[]).push('extra', 'more'); return c; }, 400, 'INVALID_CHANGESET'],
  ['a body over maxChangesetBytes', (b) => withRow(b, (row, columns) => (row[cell(columns, 'name')] = 'x'.repeat(70_000))), 413, 'BODY_TOO_LARGE'],
];

describe('POST /data/changes refuses bad compact pages (protocol 2) and changes nothing', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  let base: CompactChangeset;

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

  it('accepts the untouched base page (so every refusal below is about its one defect)', async () => {
    const response = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).send(base);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: 2, applied: 2, conflicts: [] });
  });

  it.each(CASES.map(([name, body, status, code]) => [name, status, code, body] as const))('%s → %i %s', async (_name, status, code, body) => {
    await expectPageRefused(server.url, target, typeof body === 'string' ? body : body(base), status, code);
  });
});
