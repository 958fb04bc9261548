import request from 'supertest';
import express from 'express';
import type Database from 'better-sqlite3';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempNodes } from '../helpers/temp-nodes';

/**
 * A pull by a peer waits for this server's push page on its way to that peer (no echo: docs/PROTOCOL.md,
 * "No echo"), up to 10 s. A peer whose `peerTimeoutMs` is shorter gave up on the answer first: its round
 * failed whenever a push page to it was slow to land. The puller now tells its timeout
 * (`X-Sync-Timeout-Ms`) and the wait is half of it at most; then the pull is served from where it asked.
 */
describe('a pull waiting for a push page stays within the puller\'s timeout', () => {
  const nodes = tempNodes('pull-wait-');
  let server: TestServer;
  let b: { db: Database.Database; tracker: ChangeTracker };
  beforeEach(async () => {
    const db = nodes.open('b');
    const node = nodes.node(db, 'b', []);
    b = { db, tracker: node.tracker as ChangeTracker };
    server = await nodes.serve(express().use('/api/sync', node.router));
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
    const hubDb = nodes.open('hub');
    const hub = nodes.node(hubDb, 'hub', [server.url], { peerTimeoutMs: 2000 });
    pushPageStuck((hub.tracker as ChangeTracker).siteId);
    const [result] = await hub.syncNow();
    expect(result?.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, rowsPulled: 1 });
    expect(hubDb.prepare('SELECT name FROM teams').pluck().all()).toEqual(['Robots']);
  });
});
