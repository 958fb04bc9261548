import request from 'supertest';
import type Database from 'better-sqlite3';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

function addTeams(db: Database.Database, count: number, prefix: string): void {
  const insert = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${i}`, i, `${prefix} ${i}`);
  })();
}

describe('a relay chain A – B – C', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeEach(async () => {
    cluster = await startPeers(3, 'chain');
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('moves each change once per link and direction, whoever pulls or pushes it', async () => {
    const [a, b, c] = cluster.peers as [LivePeer, LivePeer, LivePeer];
    addTeams(a.db, 50, 'a');
    addTeams(c.db, 10, 'c');
    const moved = new Map<string, number>();
    const nameOf = new Map(cluster.peers.map((peer) => [peer.syncUrl, String.fromCharCode(65 + peer.index)]));
    for (let pass = 0; pass < 3; pass += 1) {
      for (const peer of cluster.peers) {
        const self = String.fromCharCode(65 + peer.index);
        for (const result of await peer.sync.syncNow()) {
          const other = nameOf.get(result.peer) ?? '?';
          expect(result.ok).toBe(true);
          moved.set(`${other}>${self}`, (moved.get(`${other}>${self}`) ?? 0) + result.rowsPulled);
          moved.set(`${self}>${other}`, (moved.get(`${self}>${other}`) ?? 0) + result.rowsPushed);
        }
      }
    }
    expect(Object.fromEntries(moved)).toEqual({ 'A>B': 50, 'B>C': 50, 'C>B': 10, 'B>A': 10 });
    for (const peer of [a, b, c]) expect(peer.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(60);
  });

  it('a push gives way while the peer is pulling from this server (the pull carries the same rows), and goes on once that pull ended', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    addTeams(a.db, 5, 'a');
    const siteOfB = b.sync.tracker!.siteId;
    a.sync.tracker!.notePulledPage(siteOfB, true); // as a GET page for B with more to come does
    const during = (await a.sync.syncNow()).find((result) => result.peer === b.syncUrl);
    expect(during).toMatchObject({ ok: true, rowsPushed: 0 });
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
    a.sync.tracker!.notePulledPage(siteOfB, false); // its last page
    const after = (await a.sync.syncNow()).find((result) => result.peer === b.syncUrl);
    expect(after).toMatchObject({ ok: true, rowsPushed: 5 });
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(5);
  });

  it('tells a peer that asks with ?site= how far it has pulled from it', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    addTeams(a.db, 5, 'a');
    await b.sync.syncNow();
    const siteOfA = (await request(a.url).get('/api/sync/data/info').set({ Authorization: `Bearer ${TEST_TOKEN}` })).body.site as string;
    const info = await request(b.url).get(`/api/sync/data/info?site=${siteOfA}`).set({ Authorization: `Bearer ${TEST_TOKEN}` });
    expect(info.body.cursor).toBe((await request(a.url).get('/api/sync/data/info').set({ Authorization: `Bearer ${TEST_TOKEN}` })).body.seq);
    const bad = await request(b.url).get('/api/sync/data/info?site=not-a-site').set({ Authorization: `Bearer ${TEST_TOKEN}` });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_QUERY']);
  });
});
