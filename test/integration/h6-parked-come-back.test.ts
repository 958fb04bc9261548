import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, ghosts, type FleetServer } from './convergence-fleet';
import { nextMillisecond } from '../helpers/clock';

const NAMES = ['A', 'B', 'C'] as const;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

async function post(server: FleetServer, route: string, body: object): Promise<string> {
  return ((await request(server.url).post(route).send(body).expect(201)).body as { id: string }).id;
}

/** The conflicts every server lists (without the local time of parking): the same everywhere, else the test fails. */
async function conflictsEverywhere(fleet: Fleet): Promise<Record<string, unknown>[]> {
  const lists = await Promise.all(
    NAMES.map(async (name) => ((await request(fleet.server(name).url).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: Record<string, unknown>[] }).conflicts.map(({ at: _at, ...entry }) => entry)),
  );
  expect(lists.slice(1)).toEqual([lists[0], lists[0]]);
  for (const name of NAMES) {
    expect(cells(fleet.server(name).db)).toEqual(cells(fleet.server('A').db));
    expect(ghosts(fleet.server(name).db)).toEqual([]);
  }
  return lists[0] ?? [];
}

describe('parked rows keep their later edits and come back by themselves when the cause goes, on three sample-app servers', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  let a: FleetServer, b: FleetServer, c: FleetServer;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-come-back-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    [a, b, c] = NAMES.map((name) => fleet.start(name)) as [FleetServer, FleetServer, FleetServer];
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('UNIQUE: the later report, edited offline, is parked with its edit; when the holder is deleted elsewhere it is back everywhere with it', async () => {
    const team = await post(a, '/api/teams', { number: 971, name: 'Spartan' });
    const match = await post(a, '/api/matches', { label: 'Q2' });
    await fleet.syncUntilQuiet(NAMES);
    const first = await post(a, '/api/reports', { match_id: match, team_id: team, scout: 'sam', auto_points: 1 });
    nextMillisecond();
    const second = await post(b, '/api/reports', { match_id: match, team_id: team, scout: 'sam', auto_points: 2 });
    await request(b.url).patch(`/api/reports/${second}`).send({ notes: 'edited before the sync' }).expect(200);
    await fleet.syncUntilQuiet(NAMES);
    expect(await conflictsEverywhere(fleet)).toEqual([expect.objectContaining({ key: [second], reason: 'UNIQUE', parked: expect.objectContaining({ notes: 'edited before the sync' }) })]);

    await request(c.url).delete(`/api/reports/${first}`).expect(204);
    await fleet.syncUntilQuiet(NAMES);
    expect(await conflictsEverywhere(fleet)).toEqual([]);
    expect(a.db.prepare('SELECT id, auto_points, notes FROM match_reports').safeIntegers(false).all()).toEqual([{ id: second, auto_points: 2, notes: 'edited before the sync' }]);
  });

  it('FOREIGN KEY: a report whose team was deleted is parked; entering team 971 again on any laptop (the same derived id) brings it back everywhere', async () => {
    const team = await post(a, '/api/teams', { number: 971, name: 'Spartan' });
    const match = await post(a, '/api/matches', { label: 'Q2' });
    await fleet.syncUntilQuiet(NAMES);
    const report = await post(a, '/api/reports', { match_id: match, team_id: team, scout: 'sam' });
    b.db.prepare('DELETE FROM teams WHERE id = ?').run(team);
    await fleet.syncUntilQuiet(NAMES);
    expect(await conflictsEverywhere(fleet)).toEqual([expect.objectContaining({ key: [report], reason: 'FOREIGN_KEY', holder: { table: 'teams', key: [team] } })]);

    expect(await post(c, '/api/teams', { number: 971, name: 'Spartan again' })).toBe(team);
    await fleet.syncUntilQuiet(NAMES);
    expect(await conflictsEverywhere(fleet)).toEqual([]);
    expect(b.db.prepare('SELECT id, team_id FROM match_reports').all()).toEqual([{ id: report, team_id: team }]);
    expect(b.db.pragma('foreign_key_check')).toEqual([]);
  });
});
