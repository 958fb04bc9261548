import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { tempFilesUnder } from '../helpers/file-roots';
import { rawRequest, repeat } from '../helpers/multipart';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { startFilesServer, type FilesServer } from '../helpers/files-server';

const PART_HEAD = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n\r\n');
const CHUNK = Buffer.alloc(64 * 1024, 0x62);

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000; // generous: a loaded machine
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('an upload interrupted midway', () => {
  let fixture: FilesServer;
  let uploads: string;
  let server: TestServer;

  beforeEach(async () => {
    fixture = await startFilesServer({ 'photos/photo.jpg': 'version 1' });
    ({ uploads, server } = fixture);
  });

  afterEach(() => fixture.close());

  it.each([
    ['after the part header', PART_HEAD.length + 10],
    ['after 1 MB of the 4 MB file', PART_HEAD.length + 1024 * 1024],
    ['one byte before the end', PART_HEAD.length + 4 * 1024 * 1024 - 1],
  ])('aborted %s leaves the previous version intact and no temp file', async (_label, abortAfterBytes) => {
    const target = path.join(uploads, 'photos', 'photo.jpg');
    const result = await rawRequest(`${server.url}/api/sync/files/upload?path=uploads/photos/photo.jpg`, {
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        'Content-Type': 'multipart/form-data; boundary=b',
        'Content-Length': String(PART_HEAD.length + 4 * 1024 * 1024 + 8),
      },
      chunks: [PART_HEAD, ...repeat(CHUNK, 64), Buffer.from('\r\n--b--\r\n')],
      abortAfterBytes,
    });
    expect(result.status).toBeUndefined();
    await waitUntil(() => tempFilesUnder(uploads).length === 0);
    expect(tempFilesUnder(uploads)).toEqual([]);
    expect(readFileSync(target, 'utf8')).toBe('version 1');

    // The server is still healthy: a complete upload replaces the file.
    const response = await request(server.url)
      .post('/api/sync/files/upload?path=uploads/photos/photo.jpg')
      .set('Authorization', `Bearer ${TEST_TOKEN}`)
      .attach('file', Buffer.from('version 2'), 'photo.jpg');
    expect(response.status).toBe(200);
    expect(readFileSync(target, 'utf8')).toBe('version 2');
  });
});
