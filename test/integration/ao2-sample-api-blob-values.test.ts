import { matchIdOf } from '../../sample-app/scouting-schema';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** Bytes no text is made of: a BLOB a peer synced into a TEXT column (SQLite keeps what it is given). */
const BYTES = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
const AS_JSON = { $blob: BYTES.toString('base64') };
/** Match Q1's own id, so a POST of Q1 answers this row. */
const MATCH = matchIdOf('Q1');

/**
 * A BLOB cell in a scouting table came out of the sample app's JSON API as Node's
 * `{"type":"Buffer","data":[0,255,…]}`, one number per byte. Every route that answers rows
 * now writes it as `{"$blob":"<base64>"}`, the sync wire format's form of a BLOB.
 */
describe('sample app JSON API: BLOB cells', () => {
  let app: SampleServer;
  let reportId: string;
  beforeAll(async () => {
    app = await startSampleServer();
    app.db.prepare('INSERT INTO teams (id, number, name, pit) VALUES (?, ?, ?, ?)').run('t-blob', 971, 'Spartan', BYTES);
    app.db.prepare('INSERT INTO matches (id, label, starts_at) VALUES (?, ?, ?)').run(MATCH, 'Q1', BYTES);
    reportId = 'r-blob';
    app.db.prepare("INSERT INTO match_reports (id, match_id, team_id, scout, notes, updated_at) VALUES (?, ?, 't-blob', 'ana', ?, '2026-01-01T00:00:00.000Z')").run(reportId, MATCH, BYTES);
  });
  afterAll(async () => app.close());

  async function json(path: string, init?: RequestInit): Promise<unknown> {
    const answer = await fetch(`${app.url}${path}`, init);
    expect(answer.ok).toBe(true);
    return answer.json();
  }

  it('GET /api/teams, /api/matches and /api/reports answer the BLOB as {"$blob":"<base64>"}, other cells as they are', async () => {
    expect(await json('/api/teams')).toEqual([{ id: 't-blob', number: 971, name: 'Spartan', pit: AS_JSON }]);
    expect(await json('/api/matches')).toEqual([{ id: MATCH, label: 'Q1', starts_at: AS_JSON }]);
    expect(await json('/api/reports')).toEqual([expect.objectContaining({ id: reportId, scout: 'ana', notes: AS_JSON, auto_points: 0 })]);
  });

  it('PATCH /api/reports/:id answers the row with its BLOB cell in the same form', async () => {
    const row = await json(`/api/reports/${reportId}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auto_points: 4 }) });
    expect(row).toEqual(expect.objectContaining({ id: reportId, auto_points: 4, notes: AS_JSON }));
  });

  it('POST /api/matches answers the row with its BLOB cell in the same form (a match already there keeps its starts_at)', async () => {
    const row = await json('/api/matches', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ label: 'Q1' }) });
    expect(row).toEqual({ id: MATCH, label: 'Q1', starts_at: AS_JSON });
  });
});
