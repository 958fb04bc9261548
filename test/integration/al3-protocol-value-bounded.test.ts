import request from 'supertest';
import { trackedDb } from '../helpers/data';
import { expectPageRefused } from '../helpers/refused-page';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// The refusal of an unknown `protocol` named the value sent with JSON.stringify: a value nested
// 100,000 levels deep overflowed the stack there (500 INTERNAL in place of the refusal), and a
// string of megabytes came back whole in the message. The message now shows a bounded form.
const LEVELS = 100_000;
const deepArray = `{"protocol":${'['.repeat(LEVELS)}1${']'.repeat(LEVELS)}}`;
const deepObject = `{"protocol":${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}}`;
const longString = JSON.stringify({ protocol: 'x'.repeat(1_000_000) });

describe('POST /data/changes: a `protocol` of any size or depth is refused in a short message', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  beforeAll(async () => {
    target = trackedDb();
    target.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
  });
  afterAll(async () => {
    await server.close();
    target.cleanup();
  });

  it.each([
    ['an array nested 100,000 levels deep', deepArray, /^protocol an array is not supported/],
    ['an object nested 100,000 levels deep', deepObject, /^protocol an object is not supported/],
    ['a string of a million characters', longString, /^protocol "x{40}"… \(1000000 characters\) is not supported/],
    ['true', '{"protocol":true}', /^protocol true is not supported/],
    ['null', '{"protocol":null}', /^protocol null is not supported/],
  ])('%s: 400 UNSUPPORTED_PROTOCOL, nothing written', async (_name, body, message) => {
    await expectPageRefused(server.url, target, body, 400, 'UNSUPPORTED_PROTOCOL');
    const answer = await request(server.url).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).set('Content-Type', 'application/json').send(body);
    expect(answer.body.error.message).toMatch(message);
    expect(answer.body.error.message.length).toBeLessThan(200);
  });
});
