import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, ghosts, type FleetServer } from './convergence-fleet';
import { nextMillisecond } from '../helpers/clock';

const NAMES = ['A', 'B', 'C'] as const;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

async function conflictsOf(server: FleetServer): Promise<Record<string, unknown>[]> {
  const response = await request(server.url).get('/api/sync/data/conflicts').set(AUTH).expect(200);
  return (response.body as { conflicts: Record<string, unknown>[] }).conflicts.map(({ at: _at, ...entry }) => entry);
}

async function resolve(server: FleetServer, id: string, body: object): Promise<number> {
  return (await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(AUTH).send(body)).status;
}

type Resolution = { readonly action: 'discard' } | { readonly action: 'restore'; readonly values: Record<string, unknown> };

/** Two scouts file the same match/team/scout on A and B: B's report is parked on all three servers. */
async function duplicateReport(fleet: Fleet): Promise<string> {
  const form = (points: number): string => new URLSearchParams({ team_number: '971', team_name: 'Spartan', match_label: 'Q2', scout: 'sam', auto_points: String(points), teleop_points: '0', notes: '' }).toString();
  await request(fleet.server('A').url).post('/reports/new').type('form').send(form(3)).expect(303);
  nextMillisecond();
  await request(fleet.server('B').url).post('/reports/new').type('form').send(form(4)).expect(303);
  await fleet.syncUntilQuiet(NAMES);
  const listed = await conflictsOf(fleet.server('C'));
  expect(listed).toHaveLength(1);
  return String(listed[0]?.id);
}

describe('one conflict resolved on two servers before they sync (two operators, two status pages)', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-resolved-twice-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    NAMES.forEach((name) => fleet.start(name));
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it.each<[string, Resolution, Resolution, number]>([
    ['discard on A, restore on B', { action: 'discard' }, { action: 'restore', values: { scout: 'sam (B)' } }, 1],
    ['restore on A, discard on B', { action: 'restore', values: { scout: 'sam (A)' } }, { action: 'discard' }, 1],
    ['two restores under different names', { action: 'restore', values: { scout: 'sam (A)' } }, { action: 'restore', values: { scout: 'sam (B)' } }, 2],
    ['two restores under the same name', { action: 'restore', values: { scout: 'sam 2', notes: 'A' } }, { action: 'restore', values: { scout: 'sam 2', notes: 'B' } }, 2],
    ['two discards', { action: 'discard' }, { action: 'discard' }, 1],
  ])('%s: every server ends with the same reports and no conflict', async (_name, onA, onB, reports) => {
    const id = await duplicateReport(fleet);
    expect(await resolve(fleet.server('A'), id, onA)).toBe(200);
    nextMillisecond();
    expect(await resolve(fleet.server('B'), id, onB)).toBe(200);
    await fleet.syncUntilQuiet(NAMES);
    const a = fleet.server('A');
    for (const name of NAMES) {
      const server = fleet.server(name);
      expect(cells(server.db)).toEqual(cells(a.db));
      expect(await conflictsOf(server)).toEqual([]);
      expect(ghosts(server.db)).toEqual([]);
      expect(server.db.pragma('foreign_key_check')).toEqual([]);
    }
    expect(a.db.prepare('SELECT count(*) FROM match_reports').pluck().safeIntegers(false).get()).toBe(reports);
    // Resolving it again anywhere is a clean 404: it is gone.
    expect(await resolve(fleet.server('C'), id, { action: 'discard' })).toBe(404);
  });
});
