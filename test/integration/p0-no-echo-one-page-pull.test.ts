import path from 'node:path';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { tempDb, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { eventually } from '../helpers/h9-stalled-client';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Node {
  readonly data: TempDb;
  readonly client: SyncClient;
  readonly tracker: ChangeTracker;
  readonly http: TestServer;
}

/**
 * Both servers of a link sync at once, and the peer's pull of this server's
 * new rows fits in one page: this server served that page, the peer was still
 * receiving and applying it, and this server's push then sent the same rows
 * again (a pull's last page ended its "pulling" mark, and the handshake still
 * told the peer's old cursor): every small batch crossed the link twice. A
 * push now starts after the last page of a pull the peer is still applying;
 * what was written after that page is still pushed at once.
 */
describe('no echo when the peer pulls in one page while this server pushes', () => {
  let temp: ReturnType<typeof tempDir>;
  let nodes: Node[];
  let proxy: FaultProxy;
  beforeEach(async () => {
    temp = tempDir('ess-p0-echo-');
    nodes = [];
    proxy = await startFaultProxy(1);
    const make = async (name: string, peer: string): Promise<Node> => {
      const data = tempDb(TEST_SCHEMA);
      const node = createSyncNode({ logger: silentLogger, peers: [peer], token: TEST_TOKEN, database: data.db, tables: ['teams', 'reports'], stateDir: path.join(temp.dir, name) });
      const made = { data, client: node.client as SyncClient, tracker: node.tracker as ChangeTracker, http: await startServer(express().use('/api/sync', node.router)) };
      nodes.push(made);
      return made;
    };
    // A lists B directly; B reaches A through a slow link (every chunk held back 1.5 s each way).
    const b = await make('b', `${proxy.url}/api/sync`);
    await make('a', `http://127.0.0.1:${b.http.port}/api/sync`);
    proxy.setTarget((nodes[1] as Node).http.port);
    proxy.setPlan(() => ({ kind: 'delay', ms: 1_500 }));
  });
  afterEach(async () => {
    for (const node of nodes) await node.client.stop(0);
    await proxy.close();
    for (const node of nodes) {
      await node.http.close();
      node.data.cleanup();
    }
    temp.cleanup();
  });

  it('each row crosses the link once: the push gives way to the pull whose page is on its way', async () => {
    const [b, a] = nodes as [Node, Node];
    const insert = a.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
    for (let i = 0; i < 5; i += 1) insert.run(`a-${i}`, `team ${i}`);
    const bPulls = b.client.syncPeer(`${proxy.url}/api/sync`);
    // A has served B its one page; B is still receiving it (1.5 s on the way), so B's cursor for A is still 0.
    await eventually(30_000, () => a.tracker.pagesServedTo(b.tracker.siteId) > 0, 'A serving B its page');
    const aRound = await a.client.syncPeer(`http://127.0.0.1:${b.http.port}/api/sync`);
    const bRound = await bPulls;
    expect(bRound).toMatchObject({ ok: true, rowsPulled: 5 });
    expect(aRound).toMatchObject({ ok: true, rowsPushed: 0 });
    expect(b.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(5);
    // The next rounds move nothing either way: B has every row.
    const again = await a.client.syncPeer(`http://127.0.0.1:${b.http.port}/api/sync`);
    expect(again).toMatchObject({ ok: true, rowsPushed: 0, rowsPulled: 0 });
  }, 60_000);

  it('rows written after the page the peer is applying are pushed at once, and only those', async () => {
    const [b, a] = nodes as [Node, Node];
    const insert = a.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
    for (let i = 0; i < 5; i += 1) insert.run(`a-${i}`, `team ${i}`);
    const bPulls = b.client.syncPeer(`${proxy.url}/api/sync`);
    await eventually(30_000, () => a.tracker.pagesServedTo(b.tracker.siteId) > 0, 'A serving B its page');
    for (let i = 5; i < 8; i += 1) insert.run(`a-${i}`, `team ${i}`);
    const aRound = await a.client.syncPeer(`http://127.0.0.1:${b.http.port}/api/sync`);
    expect(aRound).toMatchObject({ ok: true, rowsPushed: 3 });
    expect(await bPulls).toMatchObject({ ok: true, rowsPulled: 5 });
    expect(b.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(8);
    // Those 3 reached B before its cursor did (its pull was on its way), so A saved no push cursor for them; A
    // remembers that B applied them, and its next push starts after them (before, they crossed once more).
    const again = await a.client.syncPeer(`http://127.0.0.1:${b.http.port}/api/sync`);
    expect(again).toMatchObject({ ok: true, rowsPulled: 0, rowsPushed: 0 });
    expect(await b.client.syncPeer(`${proxy.url}/api/sync`)).toMatchObject({ ok: true, rowsPushed: 0, rowsPulled: 0 });
    expect(await a.client.syncPeer(`http://127.0.0.1:${b.http.port}/api/sync`)).toMatchObject({ ok: true, rowsPushed: 0, rowsPulled: 0 });
    expect(b.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(8);
  }, 60_000);

  it('a pull whose last page never lands (cut on the way, its apply refused): the push moves no cursor past it, and a later push sends those rows', async () => {
    const [b, a] = nodes as [Node, Node];
    const toB = `http://127.0.0.1:${b.http.port}/api/sync`;
    expect(await a.client.syncPeer(toB)).toMatchObject({ ok: true }); // A knows B's site
    const insert = a.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
    for (let i = 0; i < 5; i += 1) insert.run(`a-${i}`, `team ${i}`);
    // B's pull: A serves its last page, which never reaches B.
    const served = await fetch(`http://127.0.0.1:${a.http.port}/api/sync/data/changes?since=0&limit=500&exclude_site=${b.tracker.siteId}`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(await served.json()).toMatchObject({ more: false, next: expect.any(Number) });
    for (let i = 5; i < 8; i += 1) insert.run(`a-${i}`, `team ${i}`);
    const round = await a.client.syncPeer(toB);
    expect(round).toMatchObject({ ok: true, rowsPushed: 3 }); // the rows after that page, at once
    expect(a.tracker.pushCursor(b.tracker.siteId)).toBe(0); // nothing confirmed past what B holds
    expect(a.client.peerStatuses().find((status) => status.url === toB)?.undeliveredChanges).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 10_500)); // the page is no longer on its way
    expect(await a.client.syncPeer(toB)).toMatchObject({ ok: true, rowsPushed: 8 });
    expect(b.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(8);
  }, 60_000);
});
