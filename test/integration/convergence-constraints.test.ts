import request from 'supertest';
import { teamIdOf } from '../../sample-app/scouting-schema';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, ghosts, type FleetServer } from './convergence-fleet';
import { nextMillisecond } from '../helpers/clock';

const MESH = { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] } as const;
const NAMES = ['A', 'B', 'C'] as const;

async function post(server: FleetServer, route: string, body: object): Promise<{ id: string }> {
  const response = await request(server.url).post(route).send(body);
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

/** The conflicts a server lists over HTTP, without the local time of parking. */
async function conflicts(server: FleetServer): Promise<Record<string, unknown>[]> {
  const response = await request(server.url).get('/api/sync/data/conflicts').set('Authorization', `Bearer ${TEST_TOKEN}`);
  expect(response.status).toBe(200);
  return (response.body as { conflicts: Record<string, unknown>[] }).conflicts.map(({ at: _at, ...entry }) => entry);
}

async function resolve(server: FleetServer, id: string, body: object): Promise<void> {
  const response = await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set('Authorization', `Bearer ${TEST_TOKEN}`).send(body);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ id, action: (body as { action: string }).action, seq: expect.any(Number) });
}

/** Every server holds the same cells and lists the same conflicts, has no ghost row, and passes foreign_key_check. */
async function expectConverged(fleet: Fleet): Promise<Record<string, unknown>[]> {
  const [a, ...others] = NAMES.map((name) => fleet.server(name));
  const reference = await conflicts(a!);
  for (const server of others) {
    expect(cells(server.db)).toEqual(cells(a!.db));
    expect(await conflicts(server)).toEqual(reference);
  }
  for (const name of NAMES) {
    expect(ghosts(fleet.server(name).db)).toEqual([]);
    expect(fleet.server(name).db.pragma('foreign_key_check')).toEqual([]);
  }
  return reference;
}

describe.each([false, true])('three sample-app servers (safe integers: %s)', (safeIntegers) => {
  let fleet: Fleet;
  let cleanup: () => void;
  let a: FleetServer, b: FleetServer, c: FleetServer;
  beforeEach(async () => {
    const temp = tempDir('ess-convergence-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, MESH);
    [a, b, c] = NAMES.map((name) => fleet.start(name, { safeIntegers })) as [FleetServer, FleetServer, FleetServer];
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('FOREIGN KEY: A points a report at a team B deletes: the report is parked everywhere with its newer state, and a restore brings it back', async () => {
    const [t0, t] = [await post(a, '/api/teams', { number: 254, name: 'Poofs' }), await post(a, '/api/teams', { number: 971, name: 'Spartan' })];
    const match = await post(a, '/api/matches', { label: 'Q1' });
    const report = await post(a, '/api/reports', { match_id: match.id, team_id: t0.id, scout: 'ann' });
    await fleet.syncUntilQuiet(NAMES);
    await request(a.url).patch(`/api/reports/${report.id}`).send({ team_id: t.id, notes: 'newer on A' }).expect(200);
    b.db.prepare('DELETE FROM teams WHERE id = ?').run(t.id);
    await fleet.syncUntilQuiet(NAMES);
    const listed = await expectConverged(fleet);
    expect(listed).toEqual([expect.objectContaining({ table: 'match_reports', key: [report.id], reason: 'FOREIGN_KEY', holder: { table: 'teams', key: [t.id] } })]);
    expect(listed[0]!.parked).toMatchObject({ team_id: t.id, notes: 'newer on A' });
    await resolve(c, String(listed[0]!.id), { action: 'restore', values: { team_id: t0.id } });
    await fleet.syncUntilQuiet(NAMES);
    expect(await expectConverged(fleet)).toEqual([]);
    expect(a.db.prepare('SELECT team_id, notes FROM match_reports').all()).toEqual([{ team_id: t0.id, notes: 'newer on A' }]);
  });

  it('UNIQUE: two servers file the same report, and two servers rename reports to the same scout: the earliest claim is visible everywhere', async () => {
    const team = await post(a, '/api/teams', { number: 971, name: 'Spartan' });
    const match = await post(a, '/api/matches', { label: 'Q2' });
    const [r1, r2] = [await post(a, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'x' }), await post(a, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'y' })];
    await fleet.syncUntilQuiet(NAMES);
    const first = await post(a, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'sam', auto_points: 1 });
    await request(a.url).patch(`/api/reports/${r1.id}`).send({ scout: 'zed' }).expect(200);
    nextMillisecond();
    const second = await post(b, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'sam', auto_points: 2 });
    await request(b.url).patch(`/api/reports/${r2.id}`).send({ scout: 'zed' }).expect(200);
    await fleet.syncUntilQuiet(NAMES);
    const listed = await expectConverged(fleet);
    expect(listed.map((entry) => [entry.key, entry.reason]).sort()).toEqual([[[second.id], 'UNIQUE'], [[r2.id], 'UNIQUE']].sort());
    const visible = a.db.prepare('SELECT id FROM match_reports ORDER BY id').pluck().all();
    expect(visible).toEqual([first.id, r1.id].sort());
  });

  it('UNIQUE, one writer: a swap of two pit spots through NULL arrives without a conflict', async () => {
    const [t1, t2] = [await post(a, '/api/teams', { number: 1, name: 'One' }), await post(a, '/api/teams', { number: 2, name: 'Two' })];
    a.db.prepare("UPDATE teams SET pit = 'P' || number").run();
    await fleet.syncUntilQuiet(NAMES);
    a.db.transaction(() => {
      a.db.prepare('UPDATE teams SET pit = NULL WHERE id = ?').run(t1.id);
      a.db.prepare("UPDATE teams SET pit = 'P1' WHERE id = ?").run(t2.id);
      a.db.prepare("UPDATE teams SET pit = 'P2' WHERE id = ?").run(t1.id);
    })();
    const results = await fleet.syncUntilQuiet(NAMES);
    expect(results.reduce((total, result) => total + result.dataConflicts, 0)).toBe(0);
    expect(await expectConverged(fleet)).toEqual([]);
    expect(c.db.prepare('SELECT number, pit FROM teams ORDER BY number').safeIntegers(false).all()).toEqual([
      { number: 1, pit: 'P2' },
      { number: 2, pit: 'P1' },
    ]);
  });

  it('INSERT OR REPLACE through a UNIQUE column deletes the other row everywhere: no ghost, no conflict, a peer edit of it does not resurrect it', async () => {
    const old = await post(a, '/api/teams', { number: 1, name: 'Old' });
    a.db.prepare("UPDATE teams SET pit = 'P1'").run();
    await fleet.syncUntilQuiet(NAMES);
    a.db.prepare("INSERT OR REPLACE INTO teams (id, number, name, pit) VALUES (?, 5, 'New', 'P1')").run(teamIdOf(5));
    b.db.prepare("UPDATE teams SET name = 'edited on B' WHERE id = ?").run(old.id);
    await fleet.syncUntilQuiet(NAMES);
    expect(await expectConverged(fleet)).toEqual([]);
    expect(b.db.prepare('SELECT number, name, pit FROM teams').safeIntegers(false).all()).toEqual([{ number: 5, name: 'New', pit: 'P1' }]);
  });

  it('the sample app: team 971 / match Q2 entered on two laptops gives one team, one match, and a parked duplicate report, resolvable', async () => {
    const form = (points: number): string => new URLSearchParams({ team_number: '971', team_name: 'Spartan', match_label: 'Q2', scout: 'sam', auto_points: String(points), teleop_points: '0', notes: '' }).toString();
    await request(a.url).post('/reports/new').type('form').send(form(3)).expect(303);
    nextMillisecond();
    await request(b.url).post('/reports/new').type('form').send(form(4)).expect(303);
    await fleet.syncUntilQuiet(NAMES);
    const listed = await expectConverged(fleet);
    expect(a.db.prepare('SELECT count(*) FROM teams').pluck().safeIntegers(false).get()).toBe(1);
    expect(a.db.prepare('SELECT count(*) FROM matches').pluck().safeIntegers(false).get()).toBe(1);
    expect(listed).toEqual([expect.objectContaining({ table: 'match_reports', reason: 'UNIQUE', parked: expect.objectContaining({ auto_points: 4, scout: 'sam' }) })]);
    await resolve(c, String(listed[0]!.id), { action: 'restore', values: { scout: 'sam (second sheet)' } });
    await fleet.syncUntilQuiet(NAMES);
    expect(await expectConverged(fleet)).toEqual([]);
    expect(b.db.prepare('SELECT scout, auto_points FROM match_reports ORDER BY scout').safeIntegers(false).all()).toEqual([
      { scout: 'sam', auto_points: 3 },
      { scout: 'sam (second sheet)', auto_points: 4 },
    ]);
  });
});
