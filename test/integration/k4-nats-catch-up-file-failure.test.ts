import { chmodSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import type { NatsStatus, TransportStatus } from '../../lib/peers/transport';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED } from '../helpers/h4-unprivileged-app';
import { startUnprivilegedDataPeer, TEAMS_SCHEMA, type UnprivilegedDataPeer } from '../helpers/k4-unprivileged-data-peer';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const STREAM = 'K4_GAP';
const NATS_NAME = `nats:${STREAM}`;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * X reads a NATS stream that lost messages (purged) and catches up over HTTP from D, which read
 * them. D may not read a file in its uploads root, so its listing of that root is 403
 * FILE_UNREADABLE (since 1e2dacc: a listing without the file would make peers delete it) and X's
 * round with D fails, although its pull brought every row. The catch-up counted only an `ok`
 * round or one failed with a storage code, not FILE_UNREADABLE: X's NATS round failed with
 * CATCH_UP_INCOMPLETE, round after round, while the file stayed unreadable. Now the catch-up
 * counts it (the data went through), and /status shows the file failure on D's peer entry only.
 */
(CAN_RUN_UNPRIVILEGED ? describeWithNats : describe.skip)('a NATS catch-up from a peer whose files fail for want of rights (real nats-server, live servers)', () => {
  let temp: ReturnType<typeof tempDir>;
  let nats: NatsServer | undefined;
  let peer: UnprivilegedDataPeer | undefined;
  const nodes: Array<{ db: TempDb; node: SyncNode }> = [];
  let server: TestServer | undefined;

  beforeEach(async () => {
    temp = tempDir('ess-k4-gap-');
    chmodSync(temp.dir, 0o755);
    nats = await startNatsServer();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const { db, node } of nodes.splice(0)) {
      await node.stop(0);
      db.cleanup();
    }
    await peer?.stop();
    peer = undefined;
    await nats?.close();
    temp.cleanup();
  });

  function node(options: Omit<Parameters<typeof createSyncNode>[0], 'token' | 'database' | 'tables'>): { db: TempDb; node: SyncNode } {
    const db = tempDb(TEAMS_SCHEMA);
    const made = { db, node: createSyncNode({ token: TEST_TOKEN, database: db.db, tables: ['teams'], logger: silentLogger, transport: { nats: { servers: nats!.url, stream: STREAM } }, ...options }) };
    nodes.push(made);
    return made;
  }

  async function streamLastSeq(): Promise<number> {
    const nc = await connect({ servers: nats!.url });
    try {
      return (await (await jetstreamManager(nc)).streams.info(STREAM)).state.last_seq;
    } finally {
      await nc.close();
    }
  }

  /** Waits (a condition, not a time) until D answers in /data/info that it holds the stream up to its end. */
  async function peerHoldsStream(url: string): Promise<number> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const last = await streamLastSeq();
      const info = await request(url).get('/data/info').set(AUTH);
      const held = (info.body as { nats?: Array<{ stream: string; seq: number }> }).nats?.find((entry) => entry.stream === STREAM)?.seq ?? 0;
      if (last >= 2 && held >= last) return last;
      if (Date.now() > deadline) throw new Error(`the peer holds the stream up to ${held} of ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('counts the round as caught up: the NATS round is ok, the rows are here, and only D shows the file failure', async () => {
    const a = node({});
    peer = await startUnprivilegedDataPeer(path.join(temp.dir, 'D'), (roots) => chmodSync(put(roots.uploads ?? '', 'locked.jpg', 'not for the peer'), 0o000), { servers: nats!.url, stream: STREAM });
    a.db.db.prepare("INSERT INTO teams (id, name) VALUES ('a-1', 'from A')").run();
    expect(await a.node.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    const last = await peerHoldsStream(peer.url);
    const nc = await connect({ servers: nats!.url });
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    await nc.close();

    const x = node({ roots: { uploads: path.join(temp.dir, 'X', 'uploads') }, peers: [peer.url], stateDir: path.join(temp.dir, 'X', 'state') });
    const app = express();
    app.use('/api/sync', x.node.router);
    server = await startServer(app);
    const round = await x.node.client?.syncPeer(NATS_NAME);
    expect(x.db.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all()).toEqual(['from A', 'from the peer']);
    expect(round?.error).toBeUndefined();
    expect(round).toMatchObject({ ok: true });

    const status = (await request(server.app).get('/api/sync/status').set(AUTH).expect(200)).body as { peers: Array<{ url: string; state: string; lastErrorCode: string | null }>; transports: Array<TransportStatus & { nats?: NatsStatus }> };
    expect(status.peers).toEqual([expect.objectContaining({ url: peer.url, state: 'failing', lastErrorCode: 'FILE_UNREADABLE' })]);
    const transport = status.transports.find((entry) => entry.kind === 'nats');
    expect(transport).toMatchObject({ lastError: null, nats: { lastCatchUp: { ok: true } } });
    expect(transport?.state).not.toBe('failing');
    expect(transport?.position).toBe(last);
  });
});
