import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { TEST_SCHEMA, tempDb, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, freePort, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { TEST_TOKEN } from '../helpers/server';

const STREAM = 'STOPPED';
const NATS_NAME = `nats:${STREAM}`;

/** The number of client connections nats-server holds now, from its monitoring port (`/connz`). */
function connections(monitorPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: monitorPort, path: '/connz', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve((JSON.parse(body) as { num_connections: number }).num_connections));
    });
    request.on('error', reject);
  });
}

/** How many of each kind of resource keeps the event loop alive now (`Timeout`, `TCPSocketWrap`, …). */
function aliveResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The connections nats-server holds once a close it was just told of went through (at most 20 s: a loaded machine), or the count then. */
async function connectionsOnceSettled(monitorPort: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  let count = await connections(monitorPort);
  while (count > 0 && Date.now() < deadline) {
    await settle(50);
    count = await connections(monitorPort);
  }
  return count;
}

describeWithNats('after stop(), a round through NATS opens no connection and leaves nothing running (a real nats-server)', () => {
  let nats: NatsServer;
  let monitorPort: number;
  let node: (TempDb & { readonly tracker: ChangeTracker }) | undefined;
  let client: SyncClient | undefined;
  let sync: { readonly node: SyncNode; readonly temp: TempDb } | undefined;

  beforeEach(async () => {
    monitorPort = await freePort();
    nats = await startNatsServer(`listen: 127.0.0.1:{PORT}\nhttp: 127.0.0.1:${monitorPort}\njetstream { store_dir: "{STORE}" }\n`);
  });
  afterEach(async () => {
    await client?.stop(0);
    client = undefined;
    node?.cleanup();
    node = undefined;
    await sync?.node.stop(0);
    sync?.temp.cleanup();
    sync = undefined;
    await nats.close();
  });

  /** A client with NATS only (no HTTP peer), one round through it done, then stopped: no connection left. */
  async function usedThenStopped(): Promise<{ readonly tracker: ChangeTracker; readonly client: SyncClient; readonly before: Map<string, number> }> {
    const before = aliveResources();
    node = trackedDb();
    node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'before the stop', 1);
    client = new SyncClient({ logger: silentLogger, peers: [], token: TEST_TOKEN, data: node.tracker, transport: { nats: { servers: nats.url, stream: STREAM } }, peerTimeoutMs: 5_000 });
    client.start(60_000);
    expect(await client.syncPeer(NATS_NAME)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(await connections(monitorPort)).toBe(1);
    await client.stop();
    expect(await connectionsOnceSettled(monitorPort)).toBe(0);
    return { tracker: node.tracker, client, before };
  }

  /**
   * Nothing the client started keeps the process alive: within 20 s (a timer
   * about to fire may still run, late on a loaded machine) there are no more sockets or ref'd timers than
   * before it was built, and nats-server holds no connection.
   */
  async function expectNothingAlive(before: Map<string, number>): Promise<void> {
    const extra = (): string[] => {
      const after = aliveResources();
      return ['TCPSocketWrap', 'TCPWRAP', 'Timeout'].filter((kind) => (after.get(kind) ?? 0) > (before.get(kind) ?? 0)).map((kind) => `${kind}: ${after.get(kind) ?? 0} (before: ${before.get(kind) ?? 0})`);
    };
    const deadline = Date.now() + 20_000;
    await settle(300); // long enough for a background loop or a connection attempt to show
    while (extra().length > 0 && Date.now() < deadline) await settle(50);
    expect(extra()).toEqual([]); // read before asking the monitoring port, whose socket would count
    expect(await connectionsOnceSettled(monitorPort)).toBe(0);
  }

  it('syncAll() and syncPeer() after stop() end with NATS_CLOSED, connect nowhere, and leave no timer or socket', async () => {
    const { client: stopped, before } = await usedThenStopped();
    expect(await stopped.syncAll()).toEqual([expect.objectContaining({ peer: NATS_NAME, ok: false, error: expect.objectContaining({ code: 'NATS_CLOSED' }) })]);
    expect(await stopped.syncPeer(NATS_NAME)).toMatchObject({ ok: false, error: { code: 'NATS_CLOSED' } });
    await expectNothingAlive(before);
  });

  it('a server that took a new site id since does not build and connect a new transport after stop()', async () => {
    const { client: stopped, tracker, before } = await usedThenStopped();
    expect(tracker.checkOwnHistory({ seq: 1_000_000, mark: null })).toMatchObject({ code: 'SITE_REWOUND' });
    const result = await stopped.syncPeer(NATS_NAME);
    await expectNothingAlive(before);
    expect(result).toMatchObject({ ok: false, error: { code: 'NATS_CLOSED' } });
  });

  it("the router's POST /run after the node's stop() answers NATS_CLOSED, connects nowhere, and leaves nothing running, also after a new site id", async () => {
    const before = aliveResources();
    const temp = tempDb(TEST_SCHEMA);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: temp.db, tables: ['teams'], transport: { nats: { servers: nats.url, stream: STREAM } } });
    sync = { node, temp };
    const app = express().use('/api/sync', node.router);
    const run = (): request.Test => request(app).post('/api/sync/run').set('Authorization', `Bearer ${TEST_TOKEN}`);
    temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'before the stop', 1);
    expect((await run().expect(200)).body).toMatchObject({ results: [{ peer: NATS_NAME, ok: true }] });
    await node.stop();
    expect(await connectionsOnceSettled(monitorPort)).toBe(0);
    for (const rewound of [false, true]) {
      if (rewound) expect(node.tracker?.checkOwnHistory({ seq: 1_000_000, mark: null })).toMatchObject({ code: 'SITE_REWOUND' });
      expect((await run().expect(502)).body).toMatchObject({ results: [{ peer: NATS_NAME, ok: false, error: { code: 'NATS_CLOSED' } }] });
      await expectNothingAlive(before);
    }
  });
});
