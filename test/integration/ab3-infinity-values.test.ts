import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { enableCapture } from '../../lib/data/capture';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const SCHEMA = `
CREATE TABLE rk (k REAL PRIMARY KEY NOT NULL, v TEXT);
CREATE TABLE ck (a REAL NOT NULL, b TEXT NOT NULL, v REAL, PRIMARY KEY (a, b));
CREATE TABLE nk (k PRIMARY KEY NOT NULL, v);
CREATE TABLE nc (a NOT NULL, b NOT NULL, v, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE uq (id TEXT PRIMARY KEY NOT NULL, r REAL UNIQUE);
`;
const TABLES = ['rk', 'ck', 'nk', 'nc', 'uq'];
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

function dump(db: TempDb['db']): Record<string, string[]> {
  return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t}`).raw(true).all().map((row) => (row as unknown[]).map((v) => `${typeof v}:${String(v)}`).join('|')).sort()]));
}

describe('±Infinity over HTTP', () => {
  let peer: TempDb;
  let local: TempDb;
  let server: TestServer;
  let client: SyncClient | undefined;
  beforeEach(async () => {
    peer = tempDb(SCHEMA);
    local = tempDb(SCHEMA);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: peer.db, tables: TABLES });
    server = await startServer(express().use('/api/sync', node.router));
  });
  afterEach(async () => {
    await client?.stop();
    await server.close();
    peer.cleanup();
    local.cleanup();
  });

  it('syncs infinite keys and values both ways, parks and resolves a UNIQUE clash', async () => {
    const url = `${server.url}/api/sync`;
    client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(local.db, { tables: TABLES }) });
    const p = peer.db;
    p.prepare('INSERT INTO rk VALUES (?, ?)').run(Infinity, 'inf');
    p.prepare('INSERT INTO rk VALUES (?, ?)').run(-Infinity, 'ninf');
    p.prepare('INSERT INTO ck VALUES (?, ?, ?)').run(Infinity, 'x', -Infinity);
    p.prepare('INSERT INTO nk VALUES (?, ?)').run(Infinity, -Infinity);
    p.prepare('INSERT INTO nc VALUES (?, ?, ?)').run(-Infinity, Infinity, 1.5);
    p.prepare('INSERT INTO uq VALUES (?, ?)').run('p1', Infinity);
    local.db.prepare('INSERT INTO uq VALUES (?, ?)').run('l1', Infinity);
    local.db.prepare('INSERT INTO nk VALUES (?, ?)').run(-Infinity, Infinity);
    local.db.prepare('INSERT INTO ck VALUES (?, ?, ?)').run(-Infinity, 'y', Infinity);
    for (let round = 0; round < 3; round += 1) expect(await client.syncPeer(url)).toMatchObject({ ok: true });
    expect(dump(local.db)).toEqual(dump(p));
    // a value changed on the other side
    local.db.prepare('UPDATE rk SET v = ? WHERE k = ?').run('changed', Infinity);
    p.prepare('UPDATE nk SET v = ? WHERE k = ?').run(Infinity, Infinity);
    for (let round = 0; round < 2; round += 1) expect(await client.syncPeer(url)).toMatchObject({ ok: true });
    expect(dump(local.db)).toEqual(dump(p));
    const conflicts = (await request(server.url).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as { conflicts: { id: string; parked: Record<string, unknown> }[] };
    expect(conflicts.conflicts).toHaveLength(1);
    const [conflict] = conflicts.conflicts;
    expect(conflict?.parked.r).toEqual({ $real: 'Infinity' });
    await request(server.url).post(`/api/sync/data/conflicts/${conflict?.id}/resolve`).set(AUTH).send({ action: 'restore', values: { r: { $real: '-Infinity' } } }).expect(200);
    for (let round = 0; round < 2; round += 1) expect(await client.syncPeer(url)).toMatchObject({ ok: true });
    expect(dump(local.db)).toEqual(dump(p));
    expect(p.prepare('SELECT count(*) FROM _sync_conflicts').pluck().get()).toBe(0);
    expect(local.db.prepare('SELECT count(*) FROM _sync_conflicts').pluck().get()).toBe(0);
    expect(p.prepare('SELECT r FROM uq ORDER BY r').pluck().all()).toEqual([-Infinity, Infinity]);
    const status = await request(server.url).get('/api/sync/status').set(AUTH);
    expect(status.status).toBeLessThan(500);
    // Every page again, in protocol 1 and in protocol 2, into fresh servers.
    for (const protocol of [1, 2]) {
      const fresh = tempDb(SCHEMA);
      const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: fresh.db, tables: TABLES });
      const other = await startServer(express().use('/api/sync', node.router));
      try {
        let since = 0;
        for (;;) {
          const page = (await request(server.url).get(`/api/sync/data/changes?since=${since}&limit=2&protocol=${protocol}`).set(AUTH).expect(200)).body as { next: number; more: boolean; protocol: number };
          expect(page.protocol).toBe(protocol);
          await request(other.url).post('/api/sync/data/changes').set(AUTH).send(page).expect(200);
          since = page.next;
          if (!page.more) break;
        }
        expect(dump(fresh.db)).toEqual(dump(p));
        const snapshot = await request(server.url).get('/api/sync/data/snapshot').set(AUTH);
        expect(snapshot.status).toBe(200);
      } finally {
        await other.close();
        fresh.cleanup();
      }
    }
  });
});
