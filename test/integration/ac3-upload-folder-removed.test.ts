import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describeStoreError } from '../../lib/files/atomic-file';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper ac3 with a sample app: an operator removing a folder (rm -rf) while a
// peer's upload into it was being received, or putting a file in its place, had the
// upload answered 500 INTERNAL "internal error" with a stack trace in the log (the
// rename of the vanished temp file failed with ENOENT, or its clean-up with ENOTDIR).
// The path changed under the upload: 409 PATH_CONFLICT, nothing written (also when the
// folder vanished as the temp file was made).
describe('an upload whose folder is removed while its body arrives', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;
  beforeEach(async () => {
    temp = tempDir('ess-ac3-folder-removed-');
    uploads = makeRoots(path.join(temp.dir, 'data')).uploads as string;
    server = await startServer(makeApp({ roots: { uploads } }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  /** Sends an upload to uploads/photos/x.txt in two halves, running `meanwhile` once its temp file is there. */
  async function uploadWhile(meanwhile: () => void): Promise<{ status: number | undefined; body: unknown }> {
    const { body, contentType } = multipart([{ name: 'file', filename: 'x.txt', content: Buffer.alloc(64 * 1024, 97) }]);
    const url = `${server.url}/api/sync/files/upload?path=uploads/photos/x.txt`;
    const request = http.request(url, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': contentType, 'Content-Length': String(body.length) } });
    const answered = new Promise<{ status: number | undefined; body: unknown }>((resolve) => {
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
      });
      request.on('error', () => resolve({ status: undefined, body: undefined }));
    });
    request.write(body.subarray(0, body.length / 2));
    const folder = path.join(uploads, 'photos');
    for (let tries = 0; tempFilesUnder(uploads).length === 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(tempFilesUnder(uploads)).toHaveLength(1);
    meanwhile();
    expect(existsSync(path.join(folder, 'x.txt'))).toBe(false);
    request.end(body.subarray(body.length / 2));
    return answered;
  }

  it.each([
    ['removed', () => rmSync(path.join(uploads, 'photos'), { recursive: true })],
    ['replaced by a file', () => (rmSync(path.join(uploads, 'photos'), { recursive: true }), writeFileSync(path.join(uploads, 'photos'), 'a file now'))],
  ])('its folder %s: 409 PATH_CONFLICT, nothing written, no temp file left', async (name, meanwhile) => {
    const answer = await uploadWhile(meanwhile);
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringContaining('uploads/photos/x.txt') } });
    expect(tempFilesUnder(uploads)).toEqual([]);
    const photos = path.join(uploads, 'photos');
    expect(existsSync(photos) ? readFileSync(photos, 'utf8') : undefined).toBe(name.startsWith('replaced') ? 'a file now' : undefined);
  });

  // The same race met earlier, while the temp file is made: `mkdir -p` of a folder that a file
  // stands in, then vanishes from, fails with ENOENT (seen with a file put there and removed in a loop).
  it('takes ENOENT met while the temp file is made for the same clash', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, mkdir '/srv/uploads/photos'"), { code: 'ENOENT' });
    expect(describeStoreError(error, 'uploads/photos/x.txt')).toMatchObject({ code: 'PATH_CONFLICT', status: 409 });
  });
});
