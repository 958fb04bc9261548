import Database from 'better-sqlite3';
import path from 'node:path';
import request from 'supertest';
import { formatStatus } from '../../bin/commands/status';
import { backupDatabase } from '../../lib/data/backup';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { giveNewSiteIdToFile } from '../../lib/data/site-identity';
import { tableDigests } from '../helpers/convergence';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { deadSyncUrl } from '../helpers/k2-dead-port';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A sample-app server on an ephemeral port whose database file can be prepared before the app opens it. */
async function startOne(dataDir: string, peers: string[], prepare?: (dbFile: string) => Promise<void> | void): Promise<RunningSampleApp & { readonly url: string }> {
  const config = readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN, PORT: '0', HOST: '127.0.0.1', SYNC_PEERS: peers.join(',') });
  await prepare?.(path.join(config.dataDir, 'instance', 'app.db'));
  const running = await startSampleApp(config, silentLogger);
  return { ...running, url: running.url.replace('localhost', '127.0.0.1') };
}

/** As a copy made before file identities were recorded: the file's start cannot tell it is a copy. */
function forgetFileIdentity(file: string): void {
  const db = new Database(file);
  try {
    db.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
  } finally {
    db.close();
  }
}

/** `from` syncs with its peer `to` once, without error, and both then hold the same rows: these team numbers. */
async function expectSyncedAndEqual(from: RunningSampleApp, to: RunningSampleApp, numbers: number[]): Promise<void> {
  expect((await from.sync.syncNow())[0]).toMatchObject({ ok: true });
  expect(tableDigests(from.db)).toEqual(tableDigests(to.db));
  expect(to.db.prepare('SELECT number FROM teams ORDER BY number').pluck().all()).toEqual(numbers);
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('a sync node and its peers', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it('a copy of a database file takes a new site id by itself at its start, and syncs with the original', async () => {
    const a = await startOne(path.join(temp.dir, 'a'), []);
    await request(a.url).post('/api/teams').send({ number: 118, name: 'Robonauts' }).expect(201);
    const b = await startOne(path.join(temp.dir, 'b'), [`${a.url}/api/sync`], (file) => backupDatabase(path.join(temp.dir, 'a', 'instance', 'app.db'), file).then(() => undefined));
    try {
      expect(b.sync.tracker?.identityChangedAtStart).toMatchObject({ code: 'SITE_CLONED', previous: a.sync.tracker?.siteId });
      expect(b.sync.tracker?.siteId).not.toBe(a.sync.tracker?.siteId);
      // Loud where operators look: /status (and so the status page) and the CLI's status.
      const status = await request(b.url).get('/api/sync/status').set(AUTH).expect(200);
      expect(status.body.identityChange).toMatchObject({ code: 'SITE_CLONED', previous: a.sync.tracker?.siteId, current: b.sync.tracker?.siteId });
      expect(formatStatus(status.body)).toMatch(/! IDENTITY SITE_CLONED .* took the new site id [0-9a-f]{32} \(was [0-9a-f]{32}\) by itself/);
      expect((await request(a.url).get('/api/sync/status').set(AUTH).expect(200)).body.identityChange).toBeNull();
      await request(b.url).post('/api/teams').send({ number: 148, name: 'Robowranglers' }).expect(201);
      await expectSyncedAndEqual(b, a, [118, 148]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('refuses a peer whose database is a copy of ours that its start did not tell apart (made by an older version), saying how to fix it', async () => {
    const a = await startOne(path.join(temp.dir, 'a'), []);
    const b = await startOne(path.join(temp.dir, 'b'), [`${a.url}/api/sync`], (file) => backupDatabase(path.join(temp.dir, 'a', 'instance', 'app.db'), file).then(() => forgetFileIdentity(file)));
    try {
      const [result] = await b.sync.syncNow();
      expect(result).toMatchObject({ ok: false, error: { code: 'SAME_SITE_ID' } });
      expect(result?.error?.message).toMatch(/copied/);
      expect(result?.error?.message).toMatch(/npx express-sqlite-sync new-site-id --db/);
    } finally {
      await b.close();
    }
    // The fix the message names: a new identity, after which the copy syncs and converges.
    giveNewSiteIdToFile(path.join(temp.dir, 'b', 'instance', 'app.db'));
    const fixed = await startOne(path.join(temp.dir, 'b'), [`${a.url}/api/sync`]);
    try {
      await request(a.url).post('/api/teams').send({ number: 118, name: 'Robonauts' }).expect(201);
      await request(fixed.url).post('/api/teams').send({ number: 148, name: 'Robowranglers' }).expect(201);
      await expectSyncedAndEqual(fixed, a, [118, 148]);
    } finally {
      await fixed.close();
      await a.close();
    }
  });

  it('refuses a peer with a different schema, naming the table and column', async () => {
    const a = await startOne(path.join(temp.dir, 'a'), []);
    a.db.exec('ALTER TABLE teams ADD COLUMN rookie_year INTEGER');
    await a.close();
    const a2 = await startOne(path.join(temp.dir, 'a'), []);
    const b = await startOne(path.join(temp.dir, 'b'), [`${a2.url}/api/sync`]);
    try {
      const [result] = await b.sync.syncNow();
      expect(result).toMatchObject({ ok: false, error: { code: 'SCHEMA_MISMATCH' } });
      expect(result?.error?.message).toMatch(/teams/);
      expect(result?.error?.message).toMatch(/rookie_year/);
      expect(result?.error?.message).toMatch(/migrate every server to the same tracked tables and columns .* then sync/);
      const direct = await request(a2.url).post('/api/sync/data/changes').set(AUTH).send(b.sync.tracker?.readChanges(0, 10));
      expect(direct.status).toBe(409);
      expect((direct.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/rookie_year/) });
    } finally {
      await b.close();
      await a2.close();
    }
  });

  it('retries a peer that is down with backoff while the other peer keeps syncing', async () => {
    const deadUrl = await deadSyncUrl();
    const a = await startOne(path.join(temp.dir, 'a'), []);
    const b = await startOne(path.join(temp.dir, 'b'), [deadUrl, `${a.url}/api/sync`]);
    try {
      b.sync.start(50);
      const byUrl = () => new Map((b.sync.client?.peerStatuses() ?? []).map((status) => [status.url, status]));
      await until(() => (byUrl().get(deadUrl)?.failures ?? 0) >= 3 && (byUrl().get(`${a.url}/api/sync`)?.lastResult !== null));
      const deadStatus = byUrl().get(deadUrl);
      expect(deadStatus).toMatchObject({ lastSuccessAt: null, lastError: expect.stringMatching(/ECONNREFUSED/) });
      expect(byUrl().get(`${a.url}/api/sync`)).toMatchObject({ failures: 0, lastError: null, lastSuccessAt: expect.any(String), clockSkewMs: expect.any(Number) });
      const status = await request(b.url).get('/api/sync/status').set(AUTH);
      expect(status.status).toBe(200);
      expect((status.body as { peers: unknown[] }).peers).toHaveLength(2);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('status, run, metrics and conflicts over HTTP', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh');
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('reports a file changed on two servers: both versions kept, Syncthing-style names, in /run and /status', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    put(path.join(a.dataDir, 'config'), 'event.json', '{"name":"v0"}');
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    put(path.join(a.dataDir, 'config'), 'event.json', '{"name":"edited on A"}');
    put(path.join(b.dataDir, 'config'), 'event.json', '{"name":"edited on B"}');
    const run = await request(a.url).post('/api/sync/run').set(AUTH);
    const [result] = (run.body as { results: Array<{ ok: boolean; fileConflicts: Array<{ path: string; copyPath: string }> }> }).results;
    expect(result?.ok).toBe(true);
    expect(result?.fileConflicts).toEqual([{ path: 'config/event.json', copyPath: expect.stringMatching(/^config\/event\.sync-conflict-\d{8}-\d{6}-[0-9A-F]{7}\.json$/) }]);
    const status = await request(a.url).get('/api/sync/status').set(AUTH);
    expect((status.body as { peers: Array<{ lastResult: { fileConflicts: unknown[] } }> }).peers[0]?.lastResult.fileConflicts).toHaveLength(1);
  });

  it('streams progress then results as NDJSON, and counts what moved in /metrics', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    await request(b.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201);
    const run = await request(a.url).post('/api/sync/run?stream=ndjson').set(AUTH);
    expect(run.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = run.text.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.some((line) => line.type === 'progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'results', results: [{ ok: true, rowsPulled: expect.any(Number) }] });
    const metrics = await request(a.url).get('/api/sync/metrics').set(AUTH);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^express_sqlite_sync_peer_up\{peer="http:\/\/127\.0\.0\.1:\d+\/api\/sync"\} 1$/m);
    expect(metrics.text).toMatch(/^express_sqlite_sync_rows_pulled_total\{peer="[^"]+"\} [1-9]\d*$/m);
    expect(metrics.text).toMatch(/^# TYPE express_sqlite_sync_local_seq gauge$/m);
  });

  it('lists data conflicts recorded by the merge', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    const team = await request(a.url).post('/api/teams').send({ number: 1, name: 'One' });
    const match = await request(a.url).post('/api/matches').send({ label: 'Q1' });
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const report = { match_id: (match.body as { id: string }).id, team_id: (team.body as { id: string }).id, scout: 'same scout' };
    await request(a.url).post('/api/reports').send(report).expect(201);
    await request(b.url).post('/api/reports').send(report).expect(201);
    const run = await request(a.url).post('/api/sync/run').set(AUTH);
    expect((run.body as { results: Array<{ dataConflicts: number }> }).results[0]?.dataConflicts).toBeGreaterThan(0);
    const conflicts = await request(a.url).get('/api/sync/data/conflicts').set(AUTH);
    expect(conflicts.status).toBe(200);
    expect((conflicts.body as { conflicts: Array<{ reason: string }> }).conflicts[0]).toMatchObject({ reason: 'UNIQUE' });
    const status = await request(a.url).get('/api/sync/status').set(AUTH);
    expect((status.body as { conflicts: number }).conflicts).toBeGreaterThan(0);
  });

  it('serves the status page without a token and its data only with one', async () => {
    const [a] = cluster.peers as [LivePeer];
    const page = await request(a.url).get('/api/sync/ui');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<title>Sync status<\/title>/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    const script = await request(a.url).get('/api/sync/ui/status.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    await request(a.url).get('/api/sync/status').expect(401);
    // With or without a trailing slash, the page's asset links resolve (relative to the page's URL).
    for (const pageUrl of [`${a.url}/api/sync/ui`, `${a.url}/api/sync/ui/`]) {
      const html = (await request(pageUrl).get('')).text;
      for (const asset of [...html.matchAll(/(?:href|src)="([^"]+\.(?:js|css))"/g)].map((match) => match[1] ?? '')) {
        const resolved = new URL(asset, pageUrl);
        await request(resolved.origin).get(resolved.pathname).expect(200);
      }
    }
  });
});
