import request from 'supertest';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import type { WireChangeset } from '../../lib/data/changeset';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import type { ApplyResult } from '../../lib/data/wire-schema';
import { tempDb, TEST_SCHEMA, trackedDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A push page that starts past the peer's pull cursor (the push started after
 * the page the peer's pull is applying: `receivingUpTo`) is early on the peer,
 * which passes over a change whose row's birth is on the page before (it comes
 * again with a later pull) and still answers with an apply result. A pull by
 * that peer asking from the push page's start must not then start after it:
 * its envelope claims the asked since, so the passed-over change would never come.
 */
describe('a pull does not start after a push page that may be early on the peer', () => {
  let server: TestServer;
  let b: ReturnType<typeof tempDb> & { tracker: ChangeTracker };
  let a: ReturnType<typeof trackedDb>;
  beforeEach(async () => {
    const temp = tempDb(TEST_SCHEMA);
    const made = createSyncNode({ logger: silentLogger, token: TEST_TOKEN, database: temp.db, tables: ['teams', 'reports'] });
    b = { ...temp, tracker: made.tracker as ChangeTracker };
    a = trackedDb();
    server = await startServer(express().use('/api/sync', made.router));
  });
  afterEach(async () => {
    await server.close();
    a.cleanup();
    b.cleanup();
  });

  it('the update on the early page reaches the peer', async () => {
    b.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
    const n1 = b.tracker.info().seq;
    const siteA = a.tracker.siteId;
    // The page A's pull is applying, (0, n1], read before the update.
    const first = b.tracker.readChanges(0, 1000, siteA);
    b.db.exec("UPDATE teams SET name = 'Gears' WHERE id = 't1'");
    const n = b.tracker.info().seq;
    // B's push starts after the page A applies, (n1, n], its push cursor of A still 0.
    const pushed = b.tracker.readChanges(n1, 1000, siteA);
    expect(b.tracker.pushCursor(siteA)).toBe(0);
    let answer: (result: ApplyResult) => void = () => undefined;
    const landed = b.tracker.pushingPage(siteA, n1, n, new Promise<ApplyResult>((resolve) => (answer = resolve)));
    // A's pull of the next page, asking from n1 (the end of the page it applies), reaches B while the push is on its way.
    const pull = request(server.url).get('/api/sync/data/changes').query({ since: n1, exclude_site: siteA }).set(auth).then((response) => response);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The push page lands on A before A's pull page commits: it is early, the update (its row unborn here) is passed over.
    answer(a.tracker.applyChangeset(pushed));
    await landed;
    a.tracker.applyChangeset(first);
    const response = await pull;
    expect(response.status).toBe(200);
    a.tracker.applyChangeset(response.body as WireChangeset);
    // Then A pulls on until nothing is left.
    for (let since = a.tracker.pullCursor(b.tracker.siteId), more = true; more; ) {
      const next = await request(server.url).get('/api/sync/data/changes').query({ since, exclude_site: siteA }).set(auth);
      const page = next.body as WireChangeset;
      a.tracker.applyChangeset(page);
      ({ next: since = since, more = false } = page);
    }
    expect(a.db.prepare("SELECT name FROM teams WHERE id = 't1'").pluck().get()).toBe('Gears');
  }, 30_000);
});
