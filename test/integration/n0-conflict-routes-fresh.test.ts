import request from 'supertest';
import { pullAll, trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { nextMillisecond } from '../helpers/clock';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const CONFLICTS = '/api/sync/data/conflicts';

interface Listed {
  readonly id: string;
  readonly table: string;
}

/**
 * `GET /data/conflicts` and its resolve route as the app and a hostile operator meet them (helper n1's findings):
 * the list after a local write that freed the clashing value, after a migration under the running server, a
 * restore an app trigger refuses, and an empty `after=`. Before: a stale list whose entries answered 404, a 500,
 * a 500, and a 200.
 */
describe('data conflicts routes: fresh, and every refusal a 4xx', () => {
  let server: TestServer;
  let here: ReturnType<typeof trackedDb>;
  let peer: ReturnType<typeof trackedDb>;

  beforeEach(async () => {
    here = trackedDb();
    peer = trackedDb();
    here.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL); INSERT INTO reports VALUES ('r-here', 't1', 'Q1', 'sam', 3, 'first')");
    nextMillisecond();
    peer.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL); INSERT INTO reports VALUES ('r-peer', 't1', 'Q1', 'sam', 5, 'second')");
    pullAll(peer.tracker, here.tracker); // the later claim of (Q1, t1, sam) is parked here
    server = await startServer(makeApp({ database: here.db, tables: ['teams', 'reports'] }));
  });

  afterEach(async () => {
    await server.close();
    here.cleanup();
    peer.cleanup();
  });

  async function listed(): Promise<Listed[]> {
    const answer = await request(server.url).get(CONFLICTS).set(auth).expect(200);
    return (answer.body as { conflicts: Listed[] }).conflicts;
  }

  const reportIds = (): string[] => here.db.prepare('SELECT id FROM reports ORDER BY id').pluck().all() as string[];

  it('a local write that frees the value unparks the row before the list is answered (no stale entry that answers 404)', async () => {
    expect(await listed()).toHaveLength(1);
    here.db.exec("DELETE FROM reports WHERE id = 'r-here'"); // the app's own write, not folded yet
    expect(await listed()).toEqual([]);
    expect(reportIds()).toEqual(['r-peer']);
    expect(here.tracker.conflictCount()).toBe(0);
    expect(here.tracker.listConflicts()).toEqual([]);
  });

  it.each([
    ['RAISE(ABORT)', "SELECT RAISE(ABORT, 'thirteen is unlucky')", 'thirteen is unlucky'],
    // before: 409 STILL_CONFLICTS, as if its values clashed
    ['RAISE(IGNORE)', 'SELECT RAISE(IGNORE)', 'RAISE(IGNORE) skipped the write'],
  ])('a restore an app trigger refuses with %s is 400 INVALID_RESOLUTION naming it, the row still parked; values the app accepts go through', async (_how, raise, words) => {
    here.db.exec(`CREATE TRIGGER no_thirteen BEFORE INSERT ON reports WHEN NEW.score = 13 BEGIN ${raise}; END`);
    const [conflict] = await listed();
    const answer = await request(server.url)
      .post(`${CONFLICTS}/${conflict?.id ?? ''}/resolve`)
      .set(auth)
      .send({ action: 'restore', values: { scout: 'sam 2', score: 13 } });
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'INVALID_RESOLUTION' });
    expect(answer.body.error.message).toContain(words);
    expect(answer.body.error.message).toContain('reports');
    expect((await listed()).map((entry) => entry.id)).toEqual([conflict?.id]);
    expect(reportIds()).toEqual(['r-here']);
    await request(server.url).post(`${CONFLICTS}/${conflict?.id ?? ''}/resolve`).set(auth).send({ action: 'restore', values: { scout: 'sam 2', score: 12 } }).expect(200);
    expect(reportIds()).toEqual(['r-here', 'r-peer']);
  });

  it('a restore whose app trigger write fails (an audit row missing a NOT NULL value) is 400 INVALID_RESOLUTION too, with what SQLite said', async () => {
    here.db.exec(`CREATE TABLE audit (what TEXT NOT NULL);
      CREATE TRIGGER audit_reports AFTER INSERT ON reports BEGIN INSERT INTO audit VALUES (CASE WHEN NEW.score = 13 THEN NULL ELSE NEW.id END); END`);
    const [conflict] = await listed();
    const answer = await request(server.url)
      .post(`${CONFLICTS}/${conflict?.id ?? ''}/resolve`)
      .set(auth)
      .send({ action: 'restore', values: { scout: 'sam 2', score: 13 } });
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'INVALID_RESOLUTION' });
    expect(answer.body.error.message).toContain('NOT NULL constraint failed: audit.what');
    expect(answer.body.error.message).not.toContain('page');
    expect((await listed()).map((entry) => entry.id)).toEqual([conflict?.id]);
    expect(here.db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(0);
  });

  it('a tracked table changed under the running server: the list is 409 SCHEMA_CHANGED, not 500', async () => {
    here.db.exec('ALTER TABLE reports RENAME COLUMN notes TO remark');
    const answer = await request(server.url).get(CONFLICTS).set(auth);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: 'SCHEMA_CHANGED' });
  });

  it('an empty after= is 400 BAD_QUERY, as every empty parameter of the data routes', async () => {
    const answer = await request(server.url).get(`${CONFLICTS}?after=`).set(auth);
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });
});
