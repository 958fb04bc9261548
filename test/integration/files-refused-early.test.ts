import type { Socket } from 'node:net';
import path from 'node:path';
import * as atomicFile from '../../lib/files/atomic-file';
import { AtomicDiskStorage } from '../../middleware/atomic-storage';
import { makeRoots, put, SQLITE_BYTES, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { rawRequest, repeat } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;
const BODY_BYTES = 100 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** A 100 MB multipart upload, generated lazily, whose file part starts with `firstBytes`. */
function* hundredMegabyteUpload(filename: string, firstBytes: Buffer): Iterable<Buffer> {
  yield Buffer.from(`--b\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n`);
  yield firstBytes;
  yield* repeat(CHUNK, Math.ceil((BODY_BYTES - firstBytes.length) / CHUNK.length));
  yield Buffer.from('\r\n--b--\r\n');
}

function declaredLength(filename: string, firstBytes: Buffer): string {
  let total = 0;
  for (const chunk of hundredMegabyteUpload(filename, firstBytes)) total += chunk.length;
  return String(total);
}

describe('a refused database upload is answered before its body is read', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let sockets: Socket[];

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.uploads ?? '', 'existing.txt', 'previous');
    server = await startServer(makeApp({ roots, refusedBodyDrainBytes: MB, refusedBodyDrainMs: 2000 }));
    sockets = [];
    server.server.on('connection', (socket: Socket) => sockets.push(socket));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await server.close();
    temp.cleanup();
  });

  async function sendHundredMegabytes(filename: string, firstBytes: Buffer, query = ''): Promise<{ status: number | undefined; body: unknown; sent: number; serverRead: number }> {
    const result = await rawRequest(`${server.url}/api/sync/files/upload${query}`, {
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        'Content-Type': 'multipart/form-data; boundary=b',
        'Content-Length': declaredLength(filename, firstBytes),
      },
      chunks: hundredMegabyteUpload(filename, firstBytes),
    });
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    const serverRead = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    return { status: result.status, body: result.body, sent: result.sentWhenAnswered, serverRead };
  }

  it('refuses a database file name in fileFilter: the storage engine is never called, the 403 comes before the body', async () => {
    const handleFile = jest.spyOn(AtomicDiskStorage.prototype, '_handleFile');
    const openTemp = jest.spyOn(atomicFile, 'openTempFile');
    const before = treeDigest(temp.dir);
    const result = await sendHundredMegabytes('app.db', SQLITE_BYTES);
    expect(result.status).toBe(403);
    expect(result.body).toEqual({ error: { code: 'DB_FILE_REFUSED', message: expect.stringContaining('app.db') } });
    expect(handleFile).not.toHaveBeenCalled();
    expect(openTemp).not.toHaveBeenCalled();
    // The answer came while most of the body was still unsent, and the server read only a bounded drain.
    expect(result.sent).toBeLessThan(BODY_BYTES / 4);
    expect(result.serverRead).toBeLessThan(BODY_BYTES / 4);
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it('refuses a database target path before multer reads anything', async () => {
    const handleFile = jest.spyOn(AtomicDiskStorage.prototype, '_handleFile');
    const result = await sendHundredMegabytes('harmless.txt', Buffer.from('text'), '?path=instance/app.db');
    expect(result.status).toBe(403);
    expect(result.body).toMatchObject({ error: { code: 'DB_FILE_REFUSED' } });
    expect(handleFile).not.toHaveBeenCalled();
    expect(result.serverRead).toBeLessThan(BODY_BYTES / 4);
  });

  it.each([
    ['if_match=absent', 'BAD_PRECONDITION'],
    ['sha256=xyz', 'BAD_SHA256'],
    [`if_match=${'0'.repeat(64)}&if_match=none`, 'BAD_PRECONDITION'],
  ])('refuses a malformed %s in the query before the body is read (it was refused once the whole file was written)', async (query, code) => {
    const handleFile = jest.spyOn(AtomicDiskStorage.prototype, '_handleFile');
    const result = await sendHundredMegabytes('harmless.txt', Buffer.from('text'), `?path=uploads/new.txt&${query}`);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code } });
    expect(handleFile).not.toHaveBeenCalled();
    expect(result.serverRead).toBeLessThan(BODY_BYTES / 4);
  });

  it('refuses database content under another name without opening any file', async () => {
    const openTemp = jest.spyOn(atomicFile, 'openTempFile');
    const before = treeDigest(temp.dir);
    const result = await sendHundredMegabytes('holiday.jpg', SQLITE_BYTES);
    expect(result.status).toBe(403);
    expect(result.body).toMatchObject({ error: { code: 'DB_CONTENT_REFUSED' } });
    expect(openTemp).not.toHaveBeenCalled();
    expect(result.sent).toBeLessThan(BODY_BYTES / 4);
    expect(result.serverRead).toBeLessThan(BODY_BYTES / 4);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(treeDigest(temp.dir)).toBe(before);
  });

  it('control: an accepted upload does reach the storage engine and opens one temp file', async () => {
    const handleFile = jest.spyOn(AtomicDiskStorage.prototype, '_handleFile');
    const openTemp = jest.spyOn(atomicFile, 'openTempFile');
    const result = await rawRequest(`${server.url}/api/sync/files/upload?path=uploads/new.txt`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'multipart/form-data; boundary=b' },
      chunks: [Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="new.txt"\r\n\r\nhello\r\n--b--\r\n')],
    });
    expect(result.status).toBe(201);
    expect(handleFile).toHaveBeenCalledTimes(1);
    expect(openTemp).toHaveBeenCalledTimes(1);
  });
});
