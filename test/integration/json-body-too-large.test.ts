import type { Socket } from 'node:net';
import { trackedDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { rawRequest, repeat } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;
const BODY_BYTES = 64 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

/**
 * A JSON body over the route's limit is refused with 413 before it is read
 * (its Content-Length says so) or as soon as it grows past the limit, as a
 * refused upload is: the answer comes with `Connection: close` and a bounded
 * drain, not after the whole body (a 1 GB push used to be read to its end
 * before the 413).
 */
describe('a JSON body over its limit is answered before it is read', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: ReturnType<typeof trackedDb>;
  let server: TestServer;
  let sockets: Socket[];

  beforeEach(async () => {
    temp = tempDir();
    data = trackedDb();
    const app = makeApp({ roots: makeRoots(temp.dir), database: data.db, tables: ['teams', 'reports'], maxChangesetBytes: MB, refusedBodyDrainBytes: MB, refusedBodyDrainMs: 2000 });
    server = await startServer(app);
    sockets = [];
    server.server.on('connection', (socket: Socket) => sockets.push(socket));
  });

  afterEach(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it.each([
    ['POST /data/changes', '/data/changes'],
    ['POST /data/conflicts/:id/resolve', '/data/conflicts/0123456789abcdef/resolve'],
    ['POST /files/settled', '/files/settled'],
    ['POST /deletions/confirm', '/deletions/confirm'],
  ])('%s: 413 BODY_TOO_LARGE with a bounded read', async (_name, route) => {
    const result = await rawRequest(`${server.url}/api/sync${route}`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': String(BODY_BYTES) },
      chunks: repeat(CHUNK, BODY_BYTES / CHUNK.length),
    });
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    const serverRead = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    expect(result.status).toBe(413);
    expect(result.body).toEqual({ error: { code: 'BODY_TOO_LARGE', message: expect.any(String) as unknown } });
    expect(result.sentWhenAnswered).toBeLessThan(BODY_BYTES / 4);
    expect(serverRead).toBeLessThan(BODY_BYTES / 4);
  });

  it('POST /data/changes: a chunked body (no Content-Length) is refused as soon as it grows past the limit', async () => {
    const result = await rawRequest(`${server.url}/api/sync/data/changes`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      chunks: repeat(CHUNK, BODY_BYTES / CHUNK.length),
    });
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    const serverRead = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    expect(result.status).toBe(413);
    expect(result.body).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    expect(serverRead).toBeLessThan(BODY_BYTES / 4);
  });

  /** The start of a gzip stream, then 64 KiB runs of empty stored deflate blocks: bytes that inflate to nothing, for ever. */
  const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
  const EMPTY_BLOCKS = Buffer.concat(Array.from({ length: 13_107 }, () => Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])));
  it.each([
    ['gzip of empty blocks, chunked', { 'Content-Encoding': 'gzip', 'Transfer-Encoding': 'chunked' }, [GZIP_HEADER, ...repeat(EMPTY_BLOCKS, 1000)]],
    ['gzip of empty blocks, its Content-Length over the limit', { 'Content-Encoding': 'gzip', 'Content-Length': String(GZIP_HEADER.length + 1000 * EMPTY_BLOCKS.length) }, [GZIP_HEADER, ...repeat(EMPTY_BLOCKS, 1000)]],
    ['bytes labelled gzip that are not gzip, chunked', { 'Content-Encoding': 'gzip', 'Transfer-Encoding': 'chunked' }, repeat(CHUNK, BODY_BYTES / CHUNK.length)],
    ['bytes labelled br that are not brotli, chunked', { 'Content-Encoding': 'br', 'Transfer-Encoding': 'chunked' }, repeat(CHUNK, BODY_BYTES / CHUNK.length)],
  ])('POST /data/changes: a compressed body larger as sent than the limit (%s) is refused before it is read to its end', async (_name, headers, chunks) => {
    const result = await rawRequest(`${server.url}/api/sync/data/changes`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', ...headers },
      chunks,
    });
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    const serverRead = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(result.body).toMatchObject({ error: { code: expect.stringMatching(/^(BODY_TOO_LARGE|MALFORMED_BODY)$/) as unknown } });
    expect(serverRead).toBeLessThan(BODY_BYTES / 4);
    expect(data.tracker.info().seq).toBe(0);
  });

  it('a body within the limit is still read and checked', async () => {
    const result = await rawRequest(`${server.url}/api/sync/data/changes`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': '2' },
      chunks: [Buffer.from('{}')],
    });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'INVALID_CHANGESET' } });
  });
});
