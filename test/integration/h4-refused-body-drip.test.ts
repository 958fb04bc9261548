import net from 'node:net';
import path from 'node:path';
import { makeRoots } from '../helpers/file-roots';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** What a client that keeps dripping a body after its request was refused saw. */
interface Dripped {
  readonly answer: string;
  /** True when the server closed the connection while the client was still sending. */
  readonly closedByServer: boolean;
}

/**
 * Sends `head`, then (when `dripping`) one body byte every 20 ms, until the server closes the
 * connection or `giveUpMs` passes (Node's own bound, `requestTimeout`, is 5 minutes).
 */
function drip(port: number, head: string, giveUpMs: number, dripping = true): Promise<Dripped> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearInterval(sender);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closedByServer });
    };
    const sender = setInterval(() => {
      if (dripping && !socket.destroyed && socket.writable) socket.write('x');
    }, 20);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(head.replace(/\n/g, '\r\n'));
  });
}

const AUTH = `Authorization: Bearer ${TEST_TOKEN}\n`;
const BODY = 'Content-Length: 50000000\n';

/**
 * A refusal answered before its body is read (no token, a wrong one, a
 * cross-site write, an unknown endpoint, a wrong content type, a bad query):
 * Node then read the rest of the body to keep the connection alive, so a
 * caller without the token could make the server read any amount, or hold a
 * connection for 5 minutes by sending a byte now and then. Now the connection
 * closes after the answer with the same bounded lingering close as an early
 * 403/413 (`refusedBodyDrainBytes`, `refusedBodyDrainMs`).
 */
describe('a refused request whose body keeps dripping is closed after its answer', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeAll(async () => {
    temp = tempDir();
    server = await startServer(makeApp({ roots: makeRoots(path.join(temp.dir, 'data')), refusedBodyDrainMs: 300 }));
  });
  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it.each([
    ['no token', 401, 'UNAUTHORIZED', `POST /api/sync/deletions/confirm HTTP/1.1\nHost: x\nContent-Type: application/json\n${BODY}\n{`],
    ['a wrong token, chunked', 401, 'UNAUTHORIZED', `POST /api/sync/files/upload?path=uploads/a.txt HTTP/1.1\nHost: x\nAuthorization: Bearer wrong-token-0123456789\nContent-Type: multipart/form-data; boundary=b\nTransfer-Encoding: chunked\n\n100000\n`],
    ['a cross-site write', 403, 'CROSS_SITE_REFUSED', `POST /api/sync/run HTTP/1.1\nHost: x\nOrigin: http://evil.example\n${BODY}\n`],
    ['an unknown endpoint', 404, 'NOT_FOUND', `POST /api/sync/nothing HTTP/1.1\nHost: x\n${AUTH}Content-Type: application/json\n${BODY}\n{`],
    ['a body that is not JSON', 415, 'UNSUPPORTED_MEDIA_TYPE', `POST /api/sync/deletions/confirm HTTP/1.1\nHost: x\n${AUTH}Content-Type: text/plain\nContent-Length: 10000\n\n`], // under its 16 KiB limit: not refused as too large
    ['a bad query', 400, 'BAD_REQUEST', `POST /api/sync/run?stream=yes HTTP/1.1\nHost: x\n${AUTH}${BODY}\n`],
  ])('%s: %d %s, then the connection closes while the client still sends', async (_label, status, code, head) => {
    const { answer, closedByServer } = await drip(server.port, head, 15_000);
    expect(answer.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 415 ? 'Unsupported Media Type' : 'Bad Request'}`);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code } });
    expect(closedByServer).toBe(true);
  }, 30_000);

  it('a request without a body keeps its connection (keep-alive is not given up for every refusal)', async () => {
    const { answer, closedByServer } = await drip(server.port, `GET /api/sync/status HTTP/1.1\nHost: x\n\n`, 1_000, false);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(answer).not.toMatch(/\r\nConnection: close\r\n/i);
    expect(closedByServer).toBe(false);
  });
});

/** The same on the sample app's own routes (JSON API, forms, its 404 page): they ended the same way. */
describe("the sample app's own refusals whose body keeps dripping are closed after their answer", () => {
  let sample: SampleServer;
  beforeAll(async () => {
    sample = await startSampleServer();
  });
  afterAll(() => sample.close());

  it.each([
    ['a cross-site API write', 403, `POST /api/teams HTTP/1.1\nHost: x\nOrigin: http://evil.example\nContent-Type: application/json\nContent-Length: 100000\n\n{`],
    ['an API body that is not JSON, chunked', 415, `POST /api/teams HTTP/1.1\nHost: x\nContent-Type: text/plain\nTransfer-Encoding: chunked\n\n100000\n`],
    ['a cross-site form', 403, `POST /reports/new HTTP/1.1\nHost: x\nSec-Fetch-Site: cross-site\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 100000\n\na=`],
    ['an unknown page', 404, `POST /nothing HTTP/1.1\nHost: x\nContent-Length: 100000\n\na=`],
  ])('%s: %d, then the connection closes while the client still sends', async (_label, status, head) => {
    const { answer, closedByServer } = await drip(sample.server.port, head, 15_000);
    expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(closedByServer).toBe(true);
  }, 30_000);
});
