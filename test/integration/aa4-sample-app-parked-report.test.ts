import request from 'supertest';
import type { RunningSampleApp } from '../../sample-app/server';
import { InProcessSampleApps } from '../helpers/in-process-sample-apps';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

// A report parked as a conflict (the same scout, team and match filed on two laptops) is not in the table:
// its PATCH or DELETE answered 404 "no such report", also on the laptop that wrote it, although the status
// page lists it. Now 409 REPORT_PARKED says it is parked and where to resolve it.
describe('the sample app, PATCH or DELETE of a report parked as a conflict', () => {
  let temp: ReturnType<typeof tempDir>;
  const apps = new InProcessSampleApps(() => temp.dir, { SYNC_INTERVAL_MS: '2147483647' });
  const startApp = (name: string, env: Record<string, string> = {}): Promise<RunningSampleApp> => apps.start(name, env);
  beforeEach(() => {
    temp = tempDir('aa4-parked-');
  });
  afterEach(async () => {
    await apps.closeAll();
    temp.cleanup();
  });

  it('is 409 REPORT_PARKED naming the status page; an unknown report stays 404', async () => {
    const a = await startApp('a');
    const b = await startApp('b', { SYNC_PEERS: `${a.url}/api/sync` });
    const written = new Map<string, RunningSampleApp>();
    let ids = { team: '', match: '' };
    for (const [app, points] of [[a, 1], [b, 2]] as const) {
      const team = (await request(app.server).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201)).body as { id: string };
      const match = (await request(app.server).post('/api/matches').send({ label: 'Q1' }).expect(201)).body as { id: string };
      ids = { team: team.id, match: match.id };
      const report = (await request(app.server).post('/api/reports').send({ match_id: match.id, team_id: team.id, scout: 'Ann', auto_points: points }).expect(201)).body as { id: string };
      written.set(report.id, app);
    }
    expect(ids.team).not.toBe('');
    await request(b.server).post('/api/sync/run').set(AUTH).expect(200);
    await request(a.server).post('/api/sync/run').set(AUTH).expect(200);
    const conflicts = (await request(b.server).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: Array<{ parked: { id: string } }> };
    expect(conflicts.conflicts).toHaveLength(1);
    const parked = conflicts.conflicts[0]?.parked.id ?? '';
    const writer = written.get(parked);
    expect(writer).toBeDefined();

    for (const app of [writer as RunningSampleApp, b]) {
      const patched = await request(app.server).patch(`/api/reports/${parked}`).send({ notes: 'late edit' });
      expect(patched.status).toBe(409);
      expect(patched.body).toEqual({ error: { code: 'REPORT_PARKED', message: expect.stringContaining('/api/sync/ui') as string } });
      const deleted = await request(app.server).delete(`/api/reports/${parked}`);
      expect([deleted.status, deleted.body.error?.code]).toEqual([409, 'REPORT_PARKED']);
    }
    const unknown = await request(b.server).patch('/api/reports/no-such-report').send({ notes: 'x' });
    expect([unknown.status, unknown.body]).toEqual([404, { error: { code: 'NOT_FOUND', message: 'no such report' } }]);
    await request(b.server).delete('/api/reports/no-such-report').expect(404);
  });
});
