import path from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface PeerFigures {
  readonly url: string;
  readonly name: string | null;
  readonly state: string;
  readonly undeliveredChanges: number | null;
  readonly lagChanges: number | null;
  readonly failures: number;
}

/** The value of one metric sample for a peer, from Prometheus text. */
function metric(text: string, name: string, peer: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{peer="${peer}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('a peer that has been down since before a restart', () => {
  // Its last success too is kept (in the state folder's peers.json): "never" after a restart was false.
  let temp: ReturnType<typeof tempDir>;
  const running: RunningSampleApp[] = [];
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
    temp.cleanup();
  });

  async function start(name: string, env: Record<string, string>): Promise<RunningSampleApp> {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, name), SYNC_TOKEN: TEST_TOKEN, PORT: '0', HOST: '127.0.0.1', SYNC_NAME: name, ...env });
    const app = await startSampleApp(config, silentLogger);
    running.push(app);
    return app;
  }

  it('is still named, its last success still shown, and the changes piling up here are counted as not delivered, in /status and /metrics alike', async () => {
    const stands = await start('stands laptop', {});
    const standsUrl = `${stands.url.replace('localhost', '127.0.0.1')}/api/sync`;
    let pit = await start('pit laptop', { SYNC_PEERS: standsUrl });
    expect(await pit.sync.syncNow()).toMatchObject([{ ok: true }]);
    expect(pit.sync.client?.peerStatuses()[0]).toMatchObject({ name: 'stands laptop', state: 'ok', undeliveredChanges: 0 });
    const lastSuccessAt = pit.sync.client?.peerStatuses()[0]?.lastSuccessAt;
    expect(lastSuccessAt).toEqual(expect.any(String));

    await stands.close();
    running.splice(running.indexOf(stands), 1);
    await pit.close();
    running.splice(running.indexOf(pit), 1);
    pit = await start('pit laptop', { SYNC_PEERS: standsUrl });
    for (const number of [1, 2, 3]) await request(pit.url).post('/api/teams').send({ number, name: `team ${number}` }).expect(201);
    expect(await pit.sync.syncNow()).toMatchObject([{ ok: false, error: { code: 'ECONNREFUSED' } }]);

    const status = (await request(pit.url).get('/api/sync/status').set(AUTH)).body as { name: string; peers: PeerFigures[] };
    expect(status.name).toBe('pit laptop');
    const [peer] = status.peers;
    expect(peer).toMatchObject({ url: standsUrl, name: 'stands laptop', state: 'unreachable', lastSuccessAt });
    expect(peer?.failures).toBeGreaterThanOrEqual(1); // the periodic round at start, and ours
    expect(peer?.undeliveredChanges).toBeGreaterThanOrEqual(3);
    const metrics = (await request(pit.url).get('/api/sync/metrics').set(AUTH)).text;
    expect(metric(metrics, 'express_sqlite_sync_peer_undelivered_changes', standsUrl)).toBe(peer?.undeliveredChanges);
    expect(metric(metrics, 'express_sqlite_sync_peer_consecutive_failures', standsUrl)).toBeGreaterThanOrEqual(peer?.failures ?? 1); // a retry may land in between
    expect(metrics).toContain(`express_sqlite_sync_peer_info{peer="${standsUrl}",name="stands laptop",state="unreachable"} 1`);
  });

  it('a peer never reached counts every change of this server as not delivered (its push cursor is 0)', async () => {
    const pit = await start('pit laptop', { SYNC_PEERS: 'http://127.0.0.1:9/api/sync' });
    for (const number of [1, 2, 3]) await request(pit.url).post('/api/teams').send({ number, name: `team ${number}` }).expect(201);
    expect(await pit.sync.syncNow()).toMatchObject([{ ok: false }]);
    const localSeq = pit.sync.tracker?.fold() ?? 0;
    expect(localSeq).toBeGreaterThanOrEqual(3);
    const status = (await request(pit.url).get('/api/sync/status').set(AUTH)).body as { peers: PeerFigures[] };
    expect(status.peers[0]).toMatchObject({ state: 'unreachable', undeliveredChanges: localSeq });
    const metrics = (await request(pit.url).get('/api/sync/metrics').set(AUTH)).text;
    expect(metric(metrics, 'express_sqlite_sync_peer_undelivered_changes', 'http://127.0.0.1:9/api/sync')).toBe(localSeq);
  });
});
