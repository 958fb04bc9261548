import path from 'node:path';
import request from 'supertest';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, TEST_SCHEMA } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const TABLES = ['teams', 'reports'];

/**
 * A pull by a peer waits for this server's push page on its way to that peer (no echo: docs/PROTOCOL.md,
 * "No echo"), up to 10 s. A peer whose `peerTimeoutMs` is shorter gave up on the answer first: its round
 * failed whenever a push page to it was slow to land. The puller now tells its timeout
 * (`X-Sync-Timeout-Ms`) and the wait is half of it at most; then the pull is served from where it asked.
 */
describe('a pull waiting for a push page stays within the puller\'s timeout', () => {
  let server: TestServer;
  let b: ReturnType<typeof tempDb> & { node: SyncNode; tracker: ChangeTracker };
  let temp: ReturnType<typeof tempDir>;
  const closing: (() => unknown)[] = [];
  beforeEach(async () => {
    temp = tempDir('pull-wait-');
    const made = tempDb(TEST_SCHEMA);
    const node = createSyncNode({ logger: silentLogger, token: TEST_TOKEN, database: made.db, tables: TABLES, stateDir: path.join(temp.dir, 'b') });
    b = { ...made, node, tracker: node.tracker as ChangeTracker };
    server = await startServer(express().use('/api/sync', node.router));
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await server.close();
    await b.node.stop();
    b.cleanup();
    temp.cleanup();
  });

  /** A push page of B's to `site` holding every change B has, that never lands. */
  function pushPageStuck(site: string): void {
    b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
    const seq = b.tracker.info().seq;
    void b.tracker.pushingPage(site, 0, seq, new Promise<never>(() => undefined));
  }

  it('a pull telling a 400 ms timeout is answered from where it asked once 200 ms passed', async () => {
    const site = 'a'.repeat(32);
    pushPageStuck(site);
    const response = await request(server.app)
      .get('/api/sync/data/changes')
      .query({ since: 0, exclude_site: site })
      .set('Authorization', `Bearer ${TEST_TOKEN}`)
      .set('X-Sync-Timeout-Ms', '400');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ since: 0, more: false });
    expect(response.body.changes.map((change: { key: unknown }) => change.key)).toEqual([['t1']]);
  }, 5000); // the default wait (10 s) would outlast it

  it('a peer with a 2 s timeout pulls the row while B\'s push page to it is stuck', async () => {
    const hubDb = tempDb(TEST_SCHEMA);
    closing.push(() => hubDb.cleanup());
    const hub = createSyncNode({ logger: silentLogger, token: TEST_TOKEN, database: hubDb.db, tables: TABLES, peers: [server.url], peerTimeoutMs: 2000, stateDir: path.join(temp.dir, 'hub') });
    closing.push(() => hub.stop());
    pushPageStuck((hub.tracker as ChangeTracker).siteId);
    const [result] = await hub.syncNow();
    expect(result?.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, rowsPulled: 1 });
    expect(hubDb.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['Robots']);
  });
});
