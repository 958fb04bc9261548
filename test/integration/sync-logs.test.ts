import path from 'node:path';
import request from 'supertest';
import { captureLog, LEVEL, type CapturedLog, type LogLine } from '../helpers/log';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const WRONG_TOKEN = 'a-wrong-token-that-must-never-be-logged';
const SECRET_VALUE = 'Secret Sauce Robotics (a row value, never logged)';

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A report of the same scout, team and match on two servers: a UNIQUE conflict once they sync. */
async function clashingReports(a: LivePeer, b: LivePeer): Promise<void> {
  const team = await request(a.url).post('/api/teams').send({ number: 971, name: SECRET_VALUE }).expect(201);
  const match = await request(a.url).post('/api/matches').send({ label: 'Q1' }).expect(201);
  await a.sync.syncNow();
  const report = { match_id: (match.body as { id: string }).id, team_id: (team.body as { id: string }).id, scout: 'same scout', notes: SECRET_VALUE };
  await request(a.url).post('/api/reports').send(report).expect(201);
  await request(b.url).post('/api/reports').send(report).expect(201);
}

describe('the log of a three-server round with one peer down', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  const logs = new Map<string, CapturedLog>();

  beforeAll(async () => {
    cluster = await startPeers(3, 'mesh', {
      loggerFor: (name) => {
        const log = captureLog('info', { name });
        logs.set(name, log);
        return log.logger;
      },
    });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('tells the story: rounds, the failure and its next retry, conflicts, refusals with the caller; no token, no row', async () => {
    const [a, b, c] = cluster.peers as [LivePeer, LivePeer, LivePeer];
    const log = logs.get('server-0') as CapturedLog;
    put(path.join(a.dataDir, 'config'), 'event.json', '{"name":"v0"}');
    await clashingReports(a, b); // syncs v0 too
    put(path.join(a.dataDir, 'config'), 'event.json', '{"name":"edited on A"}');
    put(path.join(b.dataDir, 'config'), 'event.json', '{"name":"edited on B"}');

    // Refusals A answers: a wrong token, a database upload, a changeset of another schema, a clock from the future.
    await request(a.url).get('/api/sync/status').set({ Authorization: `Bearer ${WRONG_TOKEN}` }).expect(401);
    await request(a.url).post('/api/sync/files/upload?path=uploads/app.db').set(AUTH).attach('file', Buffer.from('x'), 'x.txt').expect(403);
    const info = (await request(a.url).get('/api/sync/data/info').set(AUTH)).body as { site: string };
    const otherSchema = { protocol: 1, site: 'f'.repeat(32), schema: { fingerprint: '0'.repeat(64), tables: {} }, sites: [], changes: [] };
    await request(a.url).post('/api/sync/data/changes').set(AUTH).send(otherSchema).expect(409);
    const future = { ...(await request(b.url).get(`/api/sync/data/changes?exclude_site=${info.site}`).set(AUTH)).body } as { changes: Array<{ hlc: number }> };
    future.changes = future.changes.slice(0, 1).map((change) => ({ ...change, hlc: (Date.now() + 3600_000) * 1024 }));
    await request(a.url).post('/api/sync/data/changes').set(AUTH).send(future).expect(422);

    const closed = new Promise<void>((resolve) => c.listener.close(() => resolve()));
    c.listener.closeAllConnections(); // close() alone waits for a request in flight
    await closed;
    const earlier = log.events('sync.round').length; // clashingReports' round
    a.sync.start(60_000); // the round: B synced, C down and retried (stop() would abandon a round still running)
    await until(() => log.events('sync.round').slice(earlier).some((line) => line.peer === b.syncUrl) && log.events('sync.failed').some((line) => line.peer === c.syncUrl), 'the round');
    await a.sync.stop();

    const round = log.events('sync.round').filter((line) => line.peer === b.syncUrl).at(-1) as LogLine;
    expect(round).toMatchObject({ level: LEVEL.info, name: 'server-0', peer: b.syncUrl, peerName: 'server-1', rowsPulled: expect.any(Number), rowsPushed: expect.any(Number), filesDown: expect.any(Number), filesUp: expect.any(Number), ms: expect.any(Number) });
    expect(round.dataConflicts).toBe(1); // one clash: counted once, though the row is parked on both sides of the link
    expect(round.fileConflicts).toBe(1);
    expect(log.events('sync.failed').find((line) => line.peer === c.syncUrl)).toMatchObject({
      level: LEVEL.warn,
      code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/), // refused, or a kept-alive socket cut
      failures: 1,
      nextRetryAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      retryInMs: expect.any(Number),
      ms: expect.any(Number),
    });
    expect(log.events('sync.conflicts')).toContainEqual(expect.objectContaining({ level: LEVEL.warn, peer: b.syncUrl, dataConflicts: expect.any(Number) }));
    expect(log.events('files.conflict')).toContainEqual(expect.objectContaining({ level: LEVEL.warn, peer: b.syncUrl, path: 'config/event.json' }));
    const refused = log.events('request.refused');
    for (const [status, code] of [[401, 'UNAUTHORIZED'], [403, 'DB_FILE_REFUSED'], [409, 'SCHEMA_MISMATCH'], [422, 'CLOCK_SKEW']] as const) {
      expect(refused).toContainEqual(expect.objectContaining({ level: LEVEL.warn, status, code, method: expect.any(String), path: expect.stringMatching(/^\/api\/sync\//), from: expect.stringMatching(/127\.0\.0\.1$/) }));
    }
    expect(log.lines().every((line) => typeof line.msg === 'string' && line.msg !== '')).toBe(true);

    const everything = [...logs.values()].map((captured) => captured.text()).join('');
    expect(everything).not.toContain(TEST_TOKEN);
    expect(everything).not.toContain(WRONG_TOKEN);
    expect(everything).not.toContain(SECRET_VALUE);
  });
});
