import request from 'supertest';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { TEST_TOKEN } from '../helpers/server';
import { tempNodes } from '../helpers/temp-nodes';

/**
 * A page served for a peer (`exclude_site`) marks that peer as applying up to the page's `next` for 10 s,
 * and a push to it meanwhile starts there (the pull carries the rest). A `GET /data/changes` asking from
 * a `since` past this server's seq (a hand-made request, or a rewound view) got a page whose `next` is
 * that `since`: every push to the peer it named then sent nothing for 10 s, and said ok. Such a page is
 * no pull any more.
 */
describe('a pull from beyond this server\'s seq holds no push back', () => {
  const nodes = tempNodes('pull-beyond-');

  it('B pushes its rows to A right after a page asked from past its seq for A', async () => {
    const a = { db: nodes.open('a') };
    const aNode = nodes.node(a.db, 'a', []);
    const server = await nodes.serve(express().use('/api/sync', aNode.router));
    const b = { db: nodes.open('b') };
    const bNode = nodes.node(b.db, 'b', [server.url]);
    const bServer = await nodes.serve(express().use('/api/sync', bNode.router));
    b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots'), ('t2', 'Gears')");
    const siteA = (aNode.tracker as ChangeTracker).siteId;
    const page = await request(bServer.app)
      .get('/api/sync/data/changes')
      .query({ since: 1_000_000_000, exclude_site: siteA })
      .set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body.changes).toEqual([]);
    const [result] = await bNode.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPushed: 2 });
    expect(a.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all()).toEqual(['t1', 't2']);
  });
});
