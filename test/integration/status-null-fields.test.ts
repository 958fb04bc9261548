import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { formatStatus } from '../../bin/commands/status';
import { silentLogger } from '../../lib/logger';
import { syncStatusCheck } from '../../lib/peers/status-schema';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Every field docs/API.md lists for `PeerStatus`. */
const PEER_FIELDS = ['url', 'name', 'siteId', 'state', 'running', 'lastSuccessAt', 'lastError', 'lastErrorCode', 'failures', 'nextRunAt', 'lastContactAt', 'lagChanges', 'undeliveredChanges', 'clockSkewMs', 'heldDeletions', 'lastResult'];
/** Every top-level field docs/API.md lists for `GET /status`. */
const STATUS_FIELDS = ['name', 'site', 'seq', 'conflicts', 'peers', 'heldDeletions', 'fileConflicts', 'refusals', 'transports', 'identityChange', 'dataError'];

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/sync`;
}

describe('GET /status: every documented field is present, null when unknown', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database | undefined;
  let node: SyncNode | undefined;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(async () => {
    await node?.stop(0);
    node = undefined;
    db?.close();
    db = undefined;
    temp.cleanup();
  });

  function startNode(peers: string[]): express.Express {
    db = new Database(path.join(temp.dir, 'app.db'));
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['notes'], peers, stateDir: path.join(temp.dir, 'state') });
    const app = express();
    app.use('/api/sync', node.router);
    return app;
  }

  it('a peer never reached and a server without a name: null, not left out, in the JSON the CLI and /metrics read', async () => {
    const peer = await deadUrl();
    const app = startNode([peer]);
    const { body } = await request(app).get('/api/sync/status').set(AUTH).expect(200);
    expect(Object.keys(body as object).sort()).toEqual([...STATUS_FIELDS].sort());
    expect(body).toMatchObject({ name: null, site: expect.stringMatching(/^[0-9a-f]{32}$/), seq: 0, identityChange: null, dataError: null });
    const [status] = (body as { peers: Array<Record<string, unknown>> }).peers;
    expect(Object.keys(status ?? {}).sort()).toEqual([...PEER_FIELDS].sort());
    expect(status).toEqual({
      url: peer, name: null, siteId: null, state: 'never-synced', running: false, lastSuccessAt: null, lastError: null, lastErrorCode: null,
      failures: 0, nextRunAt: null, lastContactAt: null, lagChanges: null, undeliveredChanges: 0, clockSkewMs: null, heldDeletions: [], lastResult: null,
    });
    // The CLI accepts the answer and prints no "null" for what is unknown.
    expect(syncStatusCheck.Check(body)).toBe(true);
    const text = formatStatus(body as Parameters<typeof formatStatus>[0]);
    expect(text).not.toContain('null');
    expect(text).toContain(`- ${peer}   last success never   never-synced`);
    // /metrics leaves the unknown figures out rather than writing 0 or NaN for them.
    const metrics = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    expect(metrics).toContain(`express_sqlite_sync_peer_up{peer="${peer}"} 0`);
    expect(metrics).not.toMatch(/express_sqlite_sync_peer_(last_success_timestamp_seconds|clock_skew_ms|lag_changes|next_attempt_timestamp_seconds)\{/);
    expect(metrics).toMatch(/express_sqlite_sync_peer_undelivered_changes\{peer="[^"]+"\} 0/);
  });

  it('after a failed round: the failure is filled in, what the peer never told is still null', async () => {
    const peer = await deadUrl();
    const app = startNode([peer]);
    expect(await node?.syncNow()).toMatchObject([{ ok: false }]);
    const { body } = await request(app).get('/api/sync/status').set(AUTH).expect(200);
    const [status] = (body as { peers: Array<Record<string, unknown>> }).peers;
    expect(status).toMatchObject({ state: 'unreachable', lastError: expect.stringMatching(/ECONNREFUSED/), lastErrorCode: expect.any(String), failures: 1, lastResult: expect.objectContaining({ ok: false }) });
    expect(status).toMatchObject({ name: null, siteId: null, lastSuccessAt: null, lastContactAt: null, lagChanges: null, clockSkewMs: null });
    expect(syncStatusCheck.Check(body)).toBe(true);
  });

  it('a server without data sync or peers: name, site and seq are null, not left out', async () => {
    const roots = { uploads: path.join(temp.dir, 'uploads') };
    mkdirSync(roots.uploads);
    const { body } = await request(makeApp({ roots })).get('/api/sync/status').set(AUTH).expect(200);
    expect(Object.keys(body as object).sort()).toEqual([...STATUS_FIELDS].sort());
    expect(body).toMatchObject({ name: null, site: null, seq: null, conflicts: 0, peers: [], identityChange: null, dataError: null });
    expect(syncStatusCheck.Check(body)).toBe(true);
    expect(formatStatus(body as Parameters<typeof formatStatus>[0])).toMatch(/^site \(no data sync\) {3}seq - {3}conflicts 0\n/);
  });

  it('the CLI still reads a server of an earlier version, which left unknown fields out', () => {
    const earlier = { conflicts: 0, peers: [{ url: 'http://10.0.0.3:5000/api/sync', state: 'never-synced', running: false, failures: 0, heldDeletions: [] }] };
    expect(syncStatusCheck.Check(earlier)).toBe(true);
    expect(formatStatus(earlier)).toContain('- http://10.0.0.3:5000/api/sync   last success never   never-synced');
  });
});
