import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { userDigest } from '../helpers/convergence';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Three servers: A and B sync; C joins from A's snapshot while both A and B
// are written to; then C syncs with both, and clashing UNIQUE rows are written
// on B and C. All three end with the same rows, the same one parked, and C
// keeps its own site id (distinct from the one a second joiner of the same
// snapshot gets).
describe('a server joining by snapshot while two others are written to', () => {
  let temp: ReturnType<typeof tempDir>;
  let a: Peer;
  let b: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-h3-three-');
    a = await startPeer(temp.dir);
    b = await startPeer(temp.dir);
  });
  afterAll(async () => {
    await a.server.close();
    await b.server.close();
    a.data.cleanup();
    b.data.cleanup();
    temp.cleanup();
  });

  it('converges, with one conflict parked alike on every server', async () => {
    addTeams(a.data.db, 300, 'a');
    addTeams(b.data.db, 200, 'b');
    b.data.db.exec("INSERT INTO reports (id, team_id, match, scout) SELECT 'rb-' || id, id, 'q1', 'sam' FROM teams WHERE id LIKE 'b-%' LIMIT 20");
    const fromA = new SyncClient({ logger: silentLogger, peers: [b.syncUrl], token: TEST_TOKEN, data: enableCapture(a.data.db, { tables: TABLES }) });
    const bTracker = enableCapture(b.data.db, { tables: TABLES });
    let fromB: SyncClient | undefined;
    let c: Database.Database | undefined;
    let server: TestServer | undefined;
    let fromC: SyncClient | undefined;
    try {
      expect(await fromA.syncPeer(b.syncUrl)).toMatchObject({ ok: true });
      const writes = setInterval(() => {
        addTeams(a.data.db, 2, 'during-a');
        addTeams(b.data.db, 2, 'during-b');
      }, 2);
      const target = path.join(temp.dir, 'c', 'app.db');
      const joined = await joinFromPeer({ url: a.syncUrl, token: TEST_TOKEN, db: target }).finally(() => clearInterval(writes));
      const second = await joinFromPeer({ url: a.syncUrl, token: TEST_TOKEN, db: path.join(temp.dir, 'c2', 'app.db') });
      expect(new Set([joined.siteId, second.siteId, joined.peerSite]).size).toBe(3);

      c = new Database(target);
      const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: c, tables: TABLES });
      server = await startServer(express().use('/api/sync', node.router));
      const cUrl = `${server.url}/api/sync`;
      const team = a.data.db.prepare("SELECT id FROM teams WHERE id LIKE 'a-%' ORDER BY id LIMIT 1").pluck().get() as string;
      c.prepare("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('from-c', ?, 'final', 'kim', 1)").run(team);
      b.data.db.prepare("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('from-b', ?, 'final', 'kim', 2)").run(team);
      c.exec("INSERT INTO teams (id, name) VALUES ('c-own', 'written on C')");
      fromB = new SyncClient({ logger: silentLogger, peers: [cUrl], token: TEST_TOKEN, data: bTracker });
      fromC = new SyncClient({ logger: silentLogger, peers: [a.syncUrl, b.syncUrl], token: TEST_TOKEN, data: node.tracker ?? enableCapture(c, { tables: TABLES }) });
      const rounds: ReadonlyArray<readonly [SyncClient, string]> = [
        [fromC, a.syncUrl],
        [fromC, b.syncUrl],
        [fromB, cUrl],
        [fromA, b.syncUrl],
      ];
      for (let pass = 0; pass < 3; pass += 1) {
        for (const [client, url] of rounds) expect(await client.syncPeer(url)).toMatchObject({ ok: true });
      }
      const digests = [userDigest(a.data.db), userDigest(b.data.db), userDigest(c)];
      expect(new Set(digests).size).toBe(1);
      expect(c.prepare("SELECT count(*) FROM teams WHERE id LIKE 'during-%'").pluck().get()).toBe(a.data.db.prepare("SELECT count(*) FROM teams WHERE id LIKE 'during-%'").pluck().get());
      const parked = (db: Database.Database): unknown => db.prepare('SELECT id FROM _sync_conflicts ORDER BY id').pluck().all();
      expect(parked(c)).toHaveLength(1);
      expect(parked(a.data.db)).toEqual(parked(c));
      expect(parked(b.data.db)).toEqual(parked(c));
      expect(c.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get()).toBe(joined.siteId);
    } finally {
      await fromC?.stop();
      await fromA.stop();
      await fromB?.stop();
      await server?.close();
      c?.close();
    }
  });
});
