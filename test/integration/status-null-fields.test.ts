import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { formatStatus } from '../../bin/commands/status';
import { silentLogger } from '../../lib/logger';
import { syncStatusCheck } from '../../lib/peers/status-schema';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import type { SyncNodeOptions } from '../../node/options';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { deadSyncUrl } from '../helpers/k2-dead-port';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Every field docs/API.md lists for `PeerStatus`. */
const PEER_FIELDS = ['url', 'name', 'siteId', 'state', 'running', 'lastSuccessAt', 'lastError', 'lastErrorCode', 'failures', 'nextRunAt', 'backingOff', 'lastContactAt', 'lagChanges', 'undeliveredChanges', 'clockSkewMs', 'heldDeletions', 'lastResult', 'filesOnly'];
/** Every top-level field docs/API.md lists for `GET /status`. */
const STATUS_FIELDS = ['name', 'site', 'seq', 'conflicts', 'peers', 'heldDeletions', 'fileConflicts', 'refusals', 'transports', 'identityChange', 'dataError', 'fileNameProblems', 'fileConflictCopies'];
/** Every field docs/API.md lists for `TransportStatus` (`nats` only for a NATS transport). */
const TRANSPORT_FIELDS = ['kind', 'name', 'state', 'position', 'lag', 'lastError'];
/** Every field docs/API.md lists for the `nats` part of a `TransportStatus`. */
const NATS_FIELDS = ['servers', 'connectedTo', 'stream', 'subject', 'streamFirstSeq', 'streamLastSeq', 'appliedSeq', 'publishedSeq', 'unpublished', 'messagesPublished', 'messagesApplied', 'messagesRefused', 'catchUp', 'lastCatchUp', 'held'];

/** A URL on 127.0.0.1 where nothing listens. */
async function deadUrl(): Promise<string> {
  return deadSyncUrl();
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

  function startNode(peers: string[], transport?: SyncNodeOptions['transport']): express.Express {
    db = new Database(path.join(temp.dir, 'app.db'));
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['notes'], peers, transport, stateDir: path.join(temp.dir, 'state') });
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
      failures: 0, nextRunAt: null, backingOff: false, lastContactAt: null, lagChanges: null, undeliveredChanges: 0, clockSkewMs: null, heldDeletions: [], lastResult: null, filesOnly: null,
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

  it('a peer never reached: its transport entry has every field, position, lag and lastError null, and no nats part', async () => {
    const peer = await deadUrl();
    const app = startNode([peer]);
    const { body } = await request(app).get('/api/sync/status').set(AUTH).expect(200);
    const [transport] = (body as { transports: Array<Record<string, unknown>> }).transports;
    expect(Object.keys(transport ?? {}).sort()).toEqual([...TRANSPORT_FIELDS].sort());
    expect(transport).toEqual({ kind: 'http', name: peer, state: 'idle', position: null, lag: null, lastError: null });
    expect(syncStatusCheck.Check(body)).toBe(true);
    // /metrics leaves the unknown position and lag out, rather than writing null, 0 or NaN for them.
    const metrics = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    expect(metrics).toContain(`express_sqlite_sync_transport_up{transport="http",name="${peer}"} 1`);
    expect(metrics).not.toMatch(/express_sqlite_sync_transport_(position|lag)\{/);
    expect(metrics).not.toMatch(/null|NaN/);
    // After a failed round the error is filled in; what the peer never told is still null.
    await node?.syncNow();
    const after = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { transports: Array<Record<string, unknown>> };
    expect(after.transports[0]).toEqual({ kind: 'http', name: peer, state: 'failing', position: null, lag: null, lastError: { code: expect.any(String), message: expect.stringMatching(/ECONNREFUSED/) } });
    expect(syncStatusCheck.Check(after)).toBe(true);
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

  it('the CLI still reads a transport entry of an earlier version, which left unknown fields out', () => {
    const earlier = { conflicts: 0, peers: [], transports: [{ kind: 'nats', name: 'nats:FLEET', state: 'connecting', nats: { unpublished: 0 } }] };
    expect(syncStatusCheck.Check(earlier)).toBe(true);
    expect(formatStatus(earlier)).toContain('- nats:FLEET   connecting   not yet published 0');
  });

  describeWithNats('a NATS transport (real nats-server)', () => {
    let nats: NatsServer;
    beforeEach(async () => {
      nats = await startNatsServer();
    });
    afterEach(async () => {
      await node?.stop(0);
      node = undefined;
      await nats.close();
    });

    async function natsEntry(app: express.Express): Promise<{ body: unknown; entry: Record<string, unknown> & { nats: Record<string, unknown> } }> {
      const { body } = await request(app).get('/api/sync/status').set(AUTH).expect(200);
      const entry = (body as { transports: Array<Record<string, unknown> & { nats: Record<string, unknown> }> }).transports.find((t) => t.kind === 'nats');
      if (entry === undefined) throw new Error('no NATS transport in /status');
      expect(Object.keys(entry).sort()).toEqual([...TRANSPORT_FIELDS, 'nats'].sort());
      expect(Object.keys(entry.nats).sort()).toEqual([...NATS_FIELDS].sort());
      expect(syncStatusCheck.Check(body)).toBe(true);
      return { body, entry };
    }

    it('before it connected, and after a round: every field present, null where unknown, and nothing printed or exported as null', async () => {
      const app = startNode([], { nats: { servers: nats.url, stream: 'NULLS' } });
      const before = await natsEntry(app);
      expect(before.entry).toMatchObject({ kind: 'nats', name: 'nats:NULLS', position: 0, lag: null, lastError: null });
      expect(before.entry.nats).toMatchObject({ connectedTo: null, stream: 'NULLS', streamFirstSeq: null, streamLastSeq: null, appliedSeq: 0, catchUp: null, lastCatchUp: null, held: [] });
      expect(formatStatus(before.body as Parameters<typeof formatStatus>[0])).not.toContain('null');
      const unknown = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
      expect(unknown).not.toMatch(/express_sqlite_sync_(transport_lag|nats_stream_last_seq)\{/);
      expect(unknown).not.toMatch(/null|NaN/);

      db?.prepare('INSERT INTO notes (id, body) VALUES (?, ?)').run('n1', 'one');
      expect(await node?.syncNow()).toMatchObject([{ ok: true }]);
      const after = await natsEntry(app);
      expect(after.entry).toMatchObject({ state: 'connected', position: 1, lag: 0, lastError: null });
      expect(after.entry.nats).toMatchObject({ connectedTo: expect.any(String), streamFirstSeq: 1, streamLastSeq: 1, messagesPublished: 1, unpublished: 0, catchUp: null, lastCatchUp: null });
      expect(formatStatus(after.body as Parameters<typeof formatStatus>[0])).toContain('- nats:NULLS   connected   position 1   lag 0   not yet published 0');
      const known = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
      expect(known).toContain('express_sqlite_sync_nats_stream_last_seq{transport="nats",name="nats:NULLS"} 1');
      expect(known).toContain('express_sqlite_sync_nats_catching_up{transport="nats",name="nats:NULLS"} 0');
      expect(known).not.toMatch(/null|NaN/);
    });
  });
});
