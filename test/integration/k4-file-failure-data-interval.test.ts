import { chmodSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED } from '../helpers/h4-unprivileged-app';
import { startUnprivilegedDataPeer, TEAMS_SCHEMA, type UnprivilegedDataPeer } from '../helpers/k4-unprivileged-data-peer';
import { captureLog, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const HOUR = 3_600_000;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface PeerOnStatus {
  state: string;
  lastErrorCode: string | null;
  lastError: string | null;
  failures: number;
  nextRunAt: string | null;
  lagChanges: number | null;
  undeliveredChanges: number | null;
}

/**
 * A round whose only failure is the files' (a file the peer may not read: its listing is 403
 * FILE_UNREADABLE; a folder the peer may not write: 507 STORAGE_NOT_WRITABLE) fails, so the
 * peer is `failing` on /status, and the scheduler used to back off from it: the next rounds came
 * after 1 s, 2 s, 4 s … up to a minute, whatever the interval, although the data part went
 * through every time (data rounds an hour apart ran every minute; a 30 s interval became up
 * to a minute). Now such a round keeps the normal interval: the data keeps flowing as
 * configured, the file problem is reported on /status, /metrics and in the log at each round,
 * and a later failure of the peer itself backs off from its first step.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a round that failed only for its files keeps the data at the normal interval (live servers)', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: UnprivilegedDataPeer | undefined;
  let local: { db: TempDb; node: SyncNode; server: TestServer; log: CapturedLog } | undefined;

  beforeEach(() => {
    temp = tempDir('ess-k4-interval-');
    chmodSync(temp.dir, 0o755);
  });
  afterEach(async () => {
    await local?.node.stop(0);
    await local?.server.close();
    local?.db.cleanup();
    local = undefined;
    await peer?.stop();
    peer = undefined;
    temp.cleanup();
  });

  async function startLocal(peerUrl: string): Promise<NonNullable<typeof local>> {
    const db = tempDb(TEAMS_SCHEMA);
    const log = captureLog();
    const roots = { uploads: path.join(temp.dir, 'local', 'uploads') };
    put(roots.uploads, 'here.jpg', 'a photo taken here');
    const node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: db.db, tables: ['teams'], roots, peers: [peerUrl], stateDir: path.join(temp.dir, 'state'), logger: log.logger });
    const app = express();
    app.use('/api/sync', node.router);
    const server = await startServer(app);
    return { db, node, server, log };
  }

  async function peerOnStatus(server: TestServer): Promise<PeerOnStatus> {
    const res = await request(server.app).get('/api/sync/status').set(AUTH).expect(200);
    return (res.body as { peers: PeerOnStatus[] }).peers[0] as PeerOnStatus;
  }

  function teams(db: TempDb): string[] {
    return db.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
  }

  it.each<[string, (roots: Record<string, string>) => void, string]>([
    ['a file the peer may not read (its listing is refused)', (roots) => chmodSync(put(roots.uploads ?? '', 'locked.jpg', 'not for the peer'), 0o000), 'FILE_UNREADABLE'],
    ['a folder the peer may not write (every upload refused)', (roots) => chmodSync(roots.uploads ?? '', 0o555), 'STORAGE_NOT_WRITABLE'],
  ])('%s: failing on /status and in the log, next round at the interval, data through each time', async (_case, prepare, code) => {
    peer = await startUnprivilegedDataPeer(path.join(temp.dir, 'peer'), prepare);
    local = await startLocal(peer.url);
    const { db, node, server, log } = local;
    db.db.prepare("INSERT INTO teams (id, name) VALUES ('here-1', 'from here')").run();
    node.start(HOUR); // the first round is the one asked for below
    const first = await node.client!.syncPeer(peer.url);
    expect(first).toMatchObject({ ok: false, rowsPulled: 1, rowsPushed: 1, error: { code } });
    expect(teams(db)).toEqual(['from here', 'from the peer']);

    const status = await peerOnStatus(server);
    expect(status).toMatchObject({ state: 'failing', lastErrorCode: code, failures: 1, lagChanges: 0, undeliveredChanges: 0 });
    // The next round at the interval (an hour), not a retry within a second.
    expect(Date.parse(status.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);
    const failed = log.events('sync.failed');
    expect(failed).toEqual([expect.objectContaining({ code, failures: 1, rowsPulled: 1, rowsPushed: 1 })]);
    expect(failed[0]?.retryInMs).toBeGreaterThan(HOUR - 60_000);
    expect(log.events('files.error')).toEqual(expect.arrayContaining([expect.objectContaining({ code })]));
    const metrics = (await request(server.app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    const next = /^express_sqlite_sync_peer_next_attempt_timestamp_seconds\{[^}]*\} (\S+)$/m.exec(metrics)?.[1];
    expect(Number(next) * 1000).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect(metrics).toMatch(/^express_sqlite_sync_peer_up\{[^}]*\} 0$/m);
    expect(metrics).toMatch(/^express_sqlite_sync_peer_consecutive_failures\{[^}]*\} 1$/m);

    // Still so at the next round (the backoff's second step would be 1-2 s): the data goes on.
    db.db.prepare("INSERT INTO teams (id, name) VALUES ('here-2', 'later here')").run();
    expect(await node.client!.syncPeer(peer.url)).toMatchObject({ ok: false, rowsPushed: 1, error: { code } });
    const again = await peerOnStatus(server);
    expect(again).toMatchObject({ state: 'failing', lastErrorCode: code, failures: 2, undeliveredChanges: 0 });
    expect(Date.parse(again.nextRunAt ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);

    // The peer itself gone: that backs off, from its first step (0.5-1 s), not from the files' streak.
    await peer.stop();
    expect(await node.client!.syncPeer(peer.url)).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
    const gone = await peerOnStatus(server);
    expect(gone).toMatchObject({ state: 'unreachable', failures: 3 });
    expect(Date.parse(gone.nextRunAt ?? '')).toBeLessThanOrEqual(Date.now() + 1_000);
  });
});
