import request from 'supertest';
import type { RunningSampleApp } from '../../sample-app/server';
import { InProcessSampleApps } from '../helpers/in-process-sample-apps';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface Report {
  readonly id: string;
  readonly scout: string;
  readonly auto_points: number;
}

// Helper t1's find: on a laptop cut off from the others, deleting the report that held a UNIQUE value did not
// bring back the report parked for it: nothing folded the capture log (only a round that reaches a peer, or a
// read of /status or the conflicts, does), so the scout saw no report, filed it again on the form, and that one
// was parked at the next fold. The sample app now folds after each write of its own.
describe('the sample app, alone, after a local write frees a UNIQUE value', () => {
  let temp: ReturnType<typeof tempDir>;
  const apps = new InProcessSampleApps(() => temp.dir, { SYNC_INTERVAL_MS: '2147483647' });
  const startApp = (name: string, env: Record<string, string> = {}): Promise<RunningSampleApp> => apps.start(name, env);
  beforeEach(() => {
    temp = tempDir('ess-r0-unpark-');
  });
  afterEach(async () => {
    await apps.closeAll();
    temp.cleanup();
  });

  it('shows the parked report at once, and a second one is refused (409)', async () => {
    const a = await startApp('a');
    const b = await startApp('b', { SYNC_PEERS: `${a.url}/api/sync` });
    const ids: Array<{ team: string; match: string }> = [];
    for (const app of [a, b]) {
      const team = (await request(app.server).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201)).body as { id: string };
      const match = (await request(app.server).post('/api/matches').send({ label: 'Q1' }).expect(201)).body as { id: string };
      ids.push({ team: team.id, match: match.id });
    }
    expect(ids[0]).toEqual(ids[1]); // natural keys: the same rows
    const { team, match } = ids[0] as { team: string; match: string };
    await request(a.server).post('/api/reports').send({ match_id: match, team_id: team, scout: 'Ann', auto_points: 1 }).expect(201);
    await request(b.server).post('/api/reports').send({ match_id: match, team_id: team, scout: 'Ann', auto_points: 2 }).expect(201);
    await request(b.server).post('/api/sync/run').set(AUTH).expect(200);
    const conflicts = (await request(b.server).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: Array<{ holder?: { id: string } }> };
    expect(conflicts.conflicts).toHaveLength(1);
    const holder = conflicts.conflicts[0]?.holder?.id ?? '';
    const before = (await request(b.server).get('/api/reports').expect(200)).body as Report[];
    expect(before.map((report) => report.id)).toEqual([holder]);

    await apps.close(a); // laptop a leaves: nothing syncs from now on
    await request(b.server).delete(`/api/reports/${holder}`).expect(204);
    const after = (await request(b.server).get('/api/reports').expect(200)).body as Report[];
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(holder);
    expect(after[0]?.scout).toBe('Ann');
    const again = await request(b.server).post('/api/reports').send({ match_id: match, team_id: team, scout: 'Ann', auto_points: 3 });
    expect(again.status).toBe(409);
  });
});
