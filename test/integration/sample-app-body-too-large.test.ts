import type { Socket } from 'node:net';
import { rawRequest, repeat } from '../helpers/multipart';
import { startSampleServer, scoutingCounts, type SampleServer } from '../helpers/sample-server';

const MB = 1024 * 1024;
const BODY_BYTES = 64 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
const LIMIT = 128 * 1024;

/**
 * The sample app's JSON API refuses a body over its 128 KiB limit with 413
 * BODY_TOO_LARGE before reading it when its Content-Length says so, and as
 * soon as a chunked one grows past it: express.json alone read a 64 MB body
 * to its end before the 413.
 */
describe('sample app JSON API: a body over the limit is answered before it is read', () => {
  let app: SampleServer;
  let sockets: Socket[];
  beforeEach(async () => {
    app = await startSampleServer();
    sockets = [];
    app.server.server.on('connection', (socket: Socket) => sockets.push(socket));
  });
  afterEach(async () => {
    await app.close();
  });

  /** Bytes the server read from every connection, once they are all closed. */
  async function serverRead(): Promise<number> {
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    return sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
  }

  it.each([
    ['POST', '/api/events'],
    ['POST', '/api/teams'],
    ['PATCH', '/api/reports/some-id'],
  ])('%s %s with Content-Length over the limit: 413 BODY_TOO_LARGE at once, the body not read, nothing stored', async (method, route) => {
    const before = scoutingCounts(app.db);
    const result = await rawRequest(`${app.url}${route}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(BODY_BYTES) },
      chunks: repeat(CHUNK, BODY_BYTES / CHUNK.length),
    });
    expect(result.status).toBe(413);
    expect(result.body).toEqual({ error: { code: 'BODY_TOO_LARGE', message: `the request body (${BODY_BYTES} bytes) is larger than the limit of ${LIMIT} bytes` } });
    expect(result.sentWhenAnswered).toBeLessThan(BODY_BYTES / 4);
    expect(await serverRead()).toBeLessThan(BODY_BYTES / 4);
    expect(scoutingCounts(app.db)).toEqual(before);
  });

  it('a chunked body (no Content-Length) is refused as soon as it grows past the limit', async () => {
    const result = await rawRequest(`${app.url}/api/events`, {
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      chunks: repeat(CHUNK, BODY_BYTES / CHUNK.length),
    });
    expect(result.status).toBe(413);
    expect(result.body).toEqual({ error: { code: 'BODY_TOO_LARGE', message: expect.stringMatching(/^the request body \(over 131072 bytes so far\) is larger than the limit of 131072 bytes$/) as unknown } });
    expect(await serverRead()).toBeLessThan(BODY_BYTES / 4);
    expect(app.db.prepare('SELECT count(*) FROM app_events').pluck().get()).toBe(0);
  });

  it('one byte over the limit is refused; a body at the limit is still read and checked', async () => {
    const over = await rawRequest(`${app.url}/api/events`, {
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(LIMIT + 1) },
      chunks: [Buffer.alloc(LIMIT + 1, 0x20)],
    });
    expect([over.status, (over.body as { error?: { code?: string } }).error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const json = Buffer.from(JSON.stringify({ kind: 'note', detail: 'x' }));
    const at = Buffer.concat([json, Buffer.alloc(LIMIT - json.length, 0x20)]);
    const within = await rawRequest(`${app.url}/api/events`, { headers: { 'Content-Type': 'application/json', 'Content-Length': String(at.length) }, chunks: [at] });
    expect(within.status).toBe(201);
    expect(app.db.prepare('SELECT count(*) FROM app_events').pluck().get()).toBe(1);
  });

  it('POST /reports/new (the form) over 256 KiB: 413 page before the body is read, nothing stored', async () => {
    const before = scoutingCounts(app.db);
    const result = await rawRequest(`${app.url}/reports/new`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(BODY_BYTES) },
      chunks: repeat(Buffer.alloc(64 * 1024, 0x61), BODY_BYTES / (64 * 1024)),
    });
    expect(result.status).toBe(413);
    expect(result.body).toEqual(expect.stringContaining('The report is too long to save; shorten the notes'));
    expect(result.body).toEqual(expect.stringContaining('413 BODY_TOO_LARGE'));
    expect(result.body).not.toEqual(expect.stringMatching(/\bat .*\.ts:\d+/)); // no stack trace
    expect(await serverRead()).toBeLessThan(BODY_BYTES / 4);
    expect(scoutingCounts(app.db)).toEqual(before);
  });
});
