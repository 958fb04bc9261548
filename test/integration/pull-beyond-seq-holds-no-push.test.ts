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
 * A page served for a peer (`exclude_site`) marks that peer as applying up to the page's `next` for 10 s,
 * and a push to it meanwhile starts there (the pull carries the rest). A `GET /data/changes` asking from
 * a `since` past this server's seq (a hand-made request, or a rewound view) got a page whose `next` is
 * that `since`: every push to the peer it named then sent nothing for 10 s, and said ok. Such a page is
 * no pull any more.
 */
describe('a pull from beyond this server\'s seq holds no push back', () => {
  const closing: (() => unknown)[] = [];
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('pull-beyond-');
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    temp.cleanup();
  });

  function node(name: string, peers: string[]): { node: SyncNode; db: ReturnType<typeof tempDb>['db'] } {
    const made = tempDb(TEST_SCHEMA);
    closing.push(() => made.cleanup());
    const created = createSyncNode({ logger: silentLogger, token: TEST_TOKEN, database: made.db, tables: TABLES, peers, stateDir: path.join(temp.dir, name) });
    closing.push(() => created.stop());
    return { node: created, db: made.db };
  }

  it('B pushes its rows to A right after a page asked from past its seq for A', async () => {
    const a = node('a', []);
    const server: TestServer = await startServer(express().use('/api/sync', a.node.router));
    closing.push(() => server.close());
    const b = node('b', [server.url]);
    const bServer: TestServer = await startServer(express().use('/api/sync', b.node.router));
    closing.push(() => bServer.close());
    b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots'), ('t2', 'Gears')");
    const siteA = (a.node.tracker as ChangeTracker).siteId;
    const page = await request(bServer.app)
      .get('/api/sync/data/changes')
      .query({ since: 1_000_000_000, exclude_site: siteA })
      .set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body.changes).toEqual([]);
    const [result] = await b.node.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPushed: 2 });
    expect(a.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all()).toEqual(['t1', 't2']);
  });
});
