import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { databaseFilesUnder, rootDigests, tableDigests } from '../helpers/convergence';
import { put } from '../helpers/file-roots';
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

describe.each<Topology>(['chain', 'star', 'mesh'])('three live servers in a %s', (topology) => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;

  beforeEach(async () => {
    cluster = await startPeers(3, topology);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('converge: every table equal, uploads and config equal, no database file but each server its own', async () => {
    const { peers } = cluster;
    const first = peers[0] as LivePeer;
    // A report every server knows before they diverge.
    const team = await post(first, '/api/teams', { number: 254, name: 'The Cheesy Poofs' });
    const match = await post(first, '/api/matches', { label: 'Q1' });
    const shared = await post(first, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'ana', auto_points: 3 });
    await syncRounds(peers, 3);

    await writeEverywhere(peers, { reportId: shared.id });
    const doomed = await post(first, '/api/reports', { match_id: match.id, team_id: team.id, scout: 'doomed' });
    await syncRounds(peers, 1);
    await request(first.url).delete(`/api/reports/${doomed.id}`).expect(204);
    await request((peers[2] as LivePeer).url).patch(`/api/reports/${doomed.id}`).send({ notes: 'edited while deleted elsewhere' });
    await syncRounds(peers, 4);

    const expectedTables = tableDigests(first.db);
    const expectedFiles = rootDigests(first.dataDir);
    for (const peer of peers) {
      expect(tableDigests(peer.db)).toEqual(expectedTables);
      expect(rootDigests(peer.dataDir)).toEqual(expectedFiles);
      expect(databaseFilesUnder(peer.dataDir)).toEqual(['instance/app.db', 'instance/app.db-shm', 'instance/app.db-wal']);
      expect(peer.db.pragma('integrity_check', { simple: true })).toBe('ok');
    }
    const reports = first.db.prepare('SELECT scout FROM match_reports ORDER BY scout').pluck().all();
    expect(reports).toEqual(['ana', 'scout-0', 'scout-1', 'scout-2']);
    expect(readdirSync(path.join(first.dataDir, 'uploads', 'pit')).sort()).toEqual(['robot-0.jpg', 'robot-1.jpg', 'robot-2.jpg']);
  });
});
