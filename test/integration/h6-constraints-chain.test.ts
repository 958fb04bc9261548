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

/** Every server holds the same cells, no ghost, no dangling reference, and lists the same conflicts: returned. */
async function converged(fleet: Fleet): Promise<Record<string, unknown>[]> {
  const lists = await Promise.all(
    NAMES.map(async (name) => ((await request(fleet.server(name).url).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: Record<string, unknown>[] }).conflicts.map(({ at: _at, ...entry }) => entry)),
  );
  expect(lists.slice(1)).toEqual([lists[0], lists[0]]);
  for (const name of NAMES) {
    const { db } = fleet.server(name);
    expect(cells(db)).toEqual(cells(fleet.server('A').db));
    expect(ghosts(db)).toEqual([]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  }
  return lists[0] ?? [];
}

/** A and C never talk: everything between them goes through B, which syncs with both. */
describe('constraints converge on a chain of sample-app servers (A – B – C), the clashing writes at both ends', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  let a: FleetServer, b: FleetServer, c: FleetServer;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-chain-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B'], B: ['A', 'C'], C: ['B'] });
    [a, b, c] = NAMES.map((name) => fleet.start(name)) as [FleetServer, FleetServer, FleetServer];
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('a duplicate report and an orphaned one are parked alike on all three, and resolutions made in the middle reach both ends', async () => {
    const [team, doomed] = [await post(a, '/api/teams', { number: 971, name: 'Spartan' }), await post(a, '/api/teams', { number: 254, name: 'Poofs' })];
    const match = await post(a, '/api/matches', { label: 'Q2' });
    const moved = await post(a, '/api/reports', { match_id: match, team_id: team, scout: 'kim' });
    await fleet.syncUntilQuiet(NAMES);
    const first = await post(a, '/api/reports', { match_id: match, team_id: team, scout: 'sam', auto_points: 1 });
    await request(a.url).patch(`/api/reports/${moved}`).send({ team_id: doomed }).expect(200);
    nextMillisecond();
    const second = await post(c, '/api/reports', { match_id: match, team_id: team, scout: 'sam', auto_points: 2 });
    c.db.prepare('DELETE FROM teams WHERE id = ?').run(doomed);
    await fleet.syncUntilQuiet(NAMES);
    const listed = await converged(fleet);
    expect(listed.map((entry) => [entry.key, entry.reason]).sort()).toEqual([[[moved], 'FOREIGN_KEY'], [[second], 'UNIQUE']].sort());
    expect(a.db.prepare('SELECT id FROM match_reports WHERE scout = ?').pluck().all('sam')).toEqual([first]);

    for (const entry of listed) {
      const body = entry.reason === 'UNIQUE' ? { action: 'restore', values: { scout: 'sam (C)' } } : { action: 'restore', values: { team_id: team } };
      await request(b.url).post(`/api/sync/data/conflicts/${String(entry.id)}/resolve`).set(AUTH).send(body).expect(200);
    }
    await fleet.syncUntilQuiet(NAMES);
    expect(await converged(fleet)).toEqual([]);
    expect(c.db.prepare('SELECT scout, team_id FROM match_reports ORDER BY scout').safeIntegers(false).all()).toEqual([
      { scout: 'kim', team_id: team },
      { scout: 'sam', team_id: team },
      { scout: 'sam (C)', team_id: team },
    ]);
  });
});
