import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, ghosts, type FleetServer } from './convergence-fleet';

const NAMES = ['A', 'B', 'C'] as const;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Every bigint inside a value, by path: none may reach a public API's answer. */
function bigintsIn(value: unknown, where = '$'): string[] {
  if (typeof value === 'bigint') return [where];
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => bigintsIn(inner, `${where}.${key}`));
}

describe('three sample-app servers whose connections switch to defaultSafeIntegers(true) after capture started', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  let a: FleetServer, b: FleetServer, c: FleetServer;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-safe-after-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    [a, b, c] = NAMES.map((name) => fleet.start(name)) as [FleetServer, FleetServer, FleetServer];
    for (const server of [a, b, c]) server.db.defaultSafeIntegers(true); // as an app that turns it on once it runs
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('sync, park, list and resolve over HTTP, with 64-bit values exact and no bigint in any tracker answer', async () => {
    const post = async (server: FleetServer, route: string, body: object): Promise<string> => ((await request(server.url).post(route).send(body).expect(201)).body as { id: string }).id;
    const [t0, t] = [await post(a, '/api/teams', { number: 254, name: 'Poofs' }), await post(a, '/api/teams', { number: 971, name: 'Spartan' })];
    const match = await post(a, '/api/matches', { label: 'Q1' });
    const report = await post(a, '/api/reports', { match_id: match, team_id: t0, scout: 'ann' });
    a.db.prepare("INSERT INTO app_events (id, at, kind, value) VALUES ('big', 'now', 'max', ?), ('small', 'now', 'min', ?)").run(2n ** 63n - 1n, -(2n ** 63n));
    await fleet.syncUntilQuiet(NAMES);
    await request(a.url).patch(`/api/reports/${report}`).send({ team_id: t, notes: 'newer on A' }).expect(200);
    b.db.prepare('DELETE FROM teams WHERE id = ?').run(t);
    const results = await fleet.syncUntilQuiet(NAMES);
    expect(results.filter((result) => !result.ok)).toEqual([]);

    const listed = await Promise.all(NAMES.map(async (name) => (await request(fleet.server(name).url).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: Record<string, unknown>[] }));
    const withoutAt = listed.map(({ conflicts }) => conflicts.map(({ at: _at, ...entry }) => entry));
    expect(withoutAt[0]).toEqual([expect.objectContaining({ table: 'match_reports', key: [report], reason: 'FOREIGN_KEY', parked: expect.objectContaining({ team_id: t, notes: 'newer on A' }) })]);
    expect(withoutAt.slice(1)).toEqual([withoutAt[0], withoutAt[0]]);
    const id = String(listed[0]?.conflicts[0]?.id);
    const resolved = await request(c.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(AUTH).send({ action: 'restore', values: { team_id: t0, auto_points: 7 } });
    expect([resolved.status, resolved.body]).toEqual([200, { id, action: 'restore', seq: expect.any(Number) }]);
    await fleet.syncUntilQuiet(NAMES);

    for (const server of [b, c]) expect(cells(server.db)).toEqual(cells(a.db));
    for (const name of NAMES) {
      const server = fleet.server(name);
      expect(ghosts(server.db)).toEqual([]);
      expect((await request(server.url).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body).toEqual({ conflicts: [] });
      expect(server.db.prepare("SELECT value FROM app_events WHERE id IN ('big', 'small') ORDER BY id").pluck().all()).toEqual([2n ** 63n - 1n, -(2n ** 63n)]);
      for (const route of ['status', 'metrics', 'data/info', 'data/changes', 'data/changes?protocol=2', 'data/snapshot']) {
        expect([route, (await request(server.url).get(`/api/sync/${route}`).set(AUTH)).status]).toEqual([route, 200]);
      }
    }
    const tracker = c.sync.tracker;
    if (tracker === undefined) throw new Error('no tracker');
    const site = a.sync.tracker?.siteId ?? '';
    const answers = {
      info: tracker.info(site),
      seq: tracker.currentSeq(),
      pullCursor: tracker.pullCursor(site),
      pushCursor: tracker.pushCursor(site),
      undelivered: tracker.undeliveredTo(site, tracker.currentSeq()),
      peerView: tracker.peerView(site),
      conflicts: tracker.conflictCount(),
      page: tracker.readChanges(0, 5),
      compact: tracker.readCompactChanges(0, 5),
      toSend: tracker.readChangesToSend(0, 5, site),
    };
    expect(bigintsIn(answers)).toEqual([]);
    expect(tracker.pullCursor(site)).toBeGreaterThan(0);
  });
});
