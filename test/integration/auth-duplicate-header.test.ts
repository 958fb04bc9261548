import http from 'node:http';
import path from 'node:path';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** A GET with the given header lines, as sent (an array value sends one line each). */
async function getWith(url: string, authorization: string | string[]): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Authorization: authorization } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    request.on('error', reject);
  });
}

/**
 * Node keeps the first of several `Authorization` lines and drops the others,
 * so a request carrying the right token and a wrong one passed or failed by
 * their order (a proxy in front may read another line). Such a request is
 * refused whatever the order, naming the cause.
 */
describe('several Authorization headers', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeAll(async () => {
    temp = tempDir();
    server = await startServer(makeApp({ roots: makeRoots(path.join(temp.dir, 'data')) }));
  });

  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each([
    ['the right token, then a wrong one', [`Bearer ${TEST_TOKEN}`, 'Bearer wrong-token-0123456789']],
    ['a wrong token, then the right one', ['Bearer wrong-token-0123456789', `Bearer ${TEST_TOKEN}`]],
    ['the right token twice', [`Bearer ${TEST_TOKEN}`, `Bearer ${TEST_TOKEN}`]],
    ['Basic credentials of a proxy, then the token', ['Basic dXNlcjpwYXNz', `Bearer ${TEST_TOKEN}`]],
  ])('%s: 401 UNAUTHORIZED saying so', async (_label, lines) => {
    const answer = await getWith(`${server.url}/api/sync/files/checksums?path=uploads`, lines);
    expect(answer).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('2 Authorization headers') } } });
  });

  it('one header with the right token still passes', async () => {
    expect((await getWith(`${server.url}/api/sync/files/checksums?path=uploads`, `Bearer ${TEST_TOKEN}`)).status).toBe(200);
  });
});
