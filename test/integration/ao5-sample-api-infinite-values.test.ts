import { matchIdOf } from '../../sample-app/scouting-schema';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

const MATCH = matchIdOf('Q1');

/**
 * A REAL cell holding ±Infinity (a peer syncs one as `{"$real":"Infinity"}` into any column: SQLite keeps
 * what it is given) came out of the sample app's JSON API as `null`, which `res.json` writes for a number
 * JSON has no form of: the client took a value for a missing one. As a BLOB cell is answered in the sync
 * wire format's form (`{"$blob":…}`), so is this one: `{"$real":"Infinity"}`, `{"$real":"-Infinity"}`.
 */
describe('sample app JSON API: infinite REAL cells', () => {
  let app: SampleServer;
  beforeAll(async () => {
    app = await startSampleServer();
    // INTEGER columns keep ±Infinity as a REAL (a TEXT column would turn it into the text 'Inf').
    app.db.prepare('INSERT INTO teams (id, number, name, pit) VALUES (?, ?, ?, ?)').run('t-inf', Infinity, 'Spartan', 'A1');
    app.db.prepare('INSERT INTO matches (id, label, starts_at) VALUES (?, ?, ?)').run(MATCH, 'Q1', null);
    app.db.prepare("INSERT INTO match_reports (id, match_id, team_id, scout, teleop_points, updated_at) VALUES ('r-inf', ?, 't-inf', 'ana', ?, '2026-01-01T00:00:00.000Z')").run(MATCH, -Infinity);
  });
  afterAll(async () => app.close());

  async function json(path: string, init?: RequestInit): Promise<unknown> {
    const answer = await fetch(`${app.url}${path}`, init);
    expect(answer.ok).toBe(true);
    return answer.json();
  }

  it('GET /api/teams and /api/reports answer ±Infinity as {"$real":…}, not null', async () => {
    expect(await json('/api/teams')).toEqual([{ id: 't-inf', number: { $real: 'Infinity' }, name: 'Spartan', pit: 'A1' }]);
    expect(await json('/api/reports')).toEqual([expect.objectContaining({ id: 'r-inf', auto_points: 0, teleop_points: { $real: '-Infinity' } })]);
  });

  it('PATCH /api/reports/:id answers the row in the same form', async () => {
    const patched = await json('/api/reports/r-inf', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auto_points: 4 }) });
    expect(patched).toEqual(expect.objectContaining({ id: 'r-inf', auto_points: 4, teleop_points: { $real: '-Infinity' } }));
  });
});
