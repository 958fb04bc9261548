import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { databaseFilesUnder, rootDigests, tableDigests } from '../helpers/convergence';
import { put } from '../helpers/file-roots';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { startPeers, type LivePeer, type Topology } from '../helpers/peers';

async function post(peer: LivePeer, route: string, body: object): Promise<{ id: string }> {
  const response = await request(peer.url).post(route).send(body);
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

/** Concurrent writes on every server: own rows, a shared report edited everywhere, a delete racing an edit, files. */
async function writeEverywhere(peers: readonly LivePeer[], shared: { reportId: string }): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      const team = await post(peer, '/api/teams', { number: 1000 + peer.index, name: `Team of server ${peer.index}` });
      const match = await post(peer, '/api/matches', { label: `Q${peer.index + 10}` });
      await post(peer, '/api/reports', { match_id: match.id, team_id: team.id, scout: `scout-${peer.index}`, auto_points: peer.index, teleop_points: 7 });
      const edit = await request(peer.url).patch(`/api/reports/${shared.reportId}`).send({ notes: `edited on server ${peer.index}`, teleop_points: 10 + peer.index });
      expect(edit.status).toBe(200);
      put(path.join(peer.dataDir, 'uploads'), `pit/robot-${peer.index}.jpg`, `photo from server ${peer.index}`);
      put(path.join(peer.dataDir, 'config'), `server-${peer.index}.json`, JSON.stringify({ index: peer.index }));
      peer.db.prepare('INSERT INTO app_events (id, at, kind, detail) VALUES (?, ?, ?, ?)').run(randomUUID(), new Date().toISOString(), 'direct', `written by a second path on ${peer.index}`);
    }),
  );
}

/** Rounds in which each server in turn syncs with all its peers (concurrently with each of them). */
async function syncRounds(peers: readonly LivePeer[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (const peer of peers) {
      for (const result of await peer.sync.syncNow()) expect(result).toMatchObject({ ok: true, fileErrors: [] });
    }
  }
}

/** Rounds through NATS only: each server publishes what is new and applies the stream to its end. */
async function natsRounds(peers: readonly LivePeer[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (const peer of peers) expect(await peer.sync.client?.syncPeer(NATS_NAME)).toMatchObject({ ok: true });
  }
}

const NATS_STREAM = 'THREE';
const NATS_NAME = `nats:${NATS_STREAM}`;

/**
 * The convergence scenario both transports run: a shared report, concurrent
 * writes everywhere (rows, files, a second connection), a delete racing an
 * edit; `syncData` moves the data, then one full round moves the files.
 */
async function converge(peers: readonly LivePeer[], syncData: (peers: readonly LivePeer[], rounds: number) => Promise<void>): Promise<void> {
  const first = peers[0] as LivePeer;
  // A report every server knows before they diverge.
  const team = await post(first, '/api/teams', { number: 254, name: 'The Cheesy Poofs' });
  const match = await post(first, '/api/matches', { label: 'Q1' });
  const shared = await post(first, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'ana', auto_points: 3 });
  await syncData(peers, 3);

  await writeEverywhere(peers, { reportId: shared.id });
  const doomed = await post(first, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'doomed' });
  await syncData(peers, 1);
  await request(first.url).delete(`/api/reports/${doomed.id}`).expect(204);
  await request((peers[2] as LivePeer).url).patch(`/api/reports/${doomed.id}`).send({ notes: 'edited while deleted elsewhere' });
  await syncData(peers, 4);
  const dataOnly = tableDigests(first.db);
  for (const peer of peers) expect(tableDigests(peer.db)).toEqual(dataOnly);
  await syncRounds(peers, 2);

  const expectedTables = tableDigests(first.db);
  expect(expectedTables).toEqual(dataOnly);
  const expectedFiles = rootDigests(first.dataDir);
  for (const peer of peers) {
    expect(tableDigests(peer.db)).toEqual(expectedTables);
    expect(rootDigests(peer.dataDir)).toEqual(expectedFiles);
    expect(databaseFilesUnder(peer.dataDir)).toEqual(['instance/app.db', 'instance/app.db-shm', 'instance/app.db-syncmark', 'instance/app.db-wal']);
    expect(peer.db.pragma('integrity_check', { simple: true })).toBe('ok');
  }
  const reports = first.db.prepare('SELECT scout FROM match_reports ORDER BY scout').pluck().all();
  expect(reports).toEqual(['ana', 'scout-0', 'scout-1', 'scout-2']);
  expect(readdirSync(path.join(first.dataDir, 'uploads', 'pit')).sort()).toEqual(['robot-0.jpg', 'robot-1.jpg', 'robot-2.jpg']);
}

describe.each<Topology>(['chain', 'star', 'mesh'])('three live servers in a %s', (topology) => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    cluster = await startPeers(3, topology);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('converge: every table equal, uploads and config equal, no database file but each server its own', async () => {
    await converge(cluster.peers, syncRounds);
  });
});

describeWithNats('three live servers on NATS JetStream (a real nats-server; files between HTTP peers in a star)', () => {
  let nats: NatsServer;
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    nats = await startNatsServer();
    cluster = await startPeers(3, 'star', { transport: { nats: { servers: nats.url, stream: NATS_STREAM } } });
  });
  afterEach(async () => {
    await cluster.close();
    await nats.close();
  });

  it('converge: every table equal through NATS alone (before any HTTP round), then uploads and config equal, no database file but each server its own', async () => {
    await converge(cluster.peers, natsRounds);
    for (const peer of cluster.peers) {
      const status = peer.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats');
      expect(status).toMatchObject({ name: NATS_NAME, state: 'connected', lag: 0, lastError: null });
      expect(status?.nats?.messagesApplied).toBeGreaterThan(0);
    }
  });
});
