import request from 'supertest';
import { trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// An app that closes its database before its server stops (a shutdown handler in that order):
// every data route threw better-sqlite3's TypeError "The database connection is not open", answered
// 500 "internal error", which is all a peer's operator read. It is 503 DATABASE_CLOSED now, saying so.
describe('the data routes on a database connection the app closed', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  let page: unknown;
  beforeAll(async () => {
    target = trackedDb();
    const sender = trackedDb();
    sender.db.exec("INSERT INTO teams VALUES ('t2', 'Sprockets', 1114, 2.5, NULL)");
    page = sender.tracker.readChanges(0, 10);
    sender.cleanup();
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
    target.db.close();
  });
  afterAll(async () => {
    await server.close();
    target.cleanup();
  });

  it.each([
    ['GET', '/data/info'],
    ['GET', '/data/changes'],
    ['POST', '/data/changes'],
    ['GET', '/data/conflicts'],
    ['GET', '/data/snapshot'],
  ])('%s %s: 503 DATABASE_CLOSED', async (method, path) => {
    const url = `/api/sync${path}`;
    const asked = method === 'GET' ? request(server.url).get(url) : request(server.url).post(url).send(page as object);
    const answer = await asked.set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect([answer.status, answer.body.error.code]).toEqual([503, 'DATABASE_CLOSED']);
    expect(answer.body.error.message).toMatch(/database connection is closed/);
  });
});
