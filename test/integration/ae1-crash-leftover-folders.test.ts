import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { portOf, sigkill, startChild, SERVER_CHILD, until, type Child } from '../helpers/crash-children';

/** Starts an upload to `clientPath` and sends only the first 64 KiB of its 10 MiB. */
function stalledUpload(port: number, clientPath: string): http.ClientRequest {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: `/api/sync/files/upload?path=${encodeURIComponent(clientPath)}`,
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': 10 * 1024 * 1024 },
  });
  request.on('error', () => undefined); // the server is killed under it
  request.write('--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n');
  request.write(Buffer.alloc(64 * 1024, 7));
  return request;
}

/** Uploads a small file to `clientPath`; resolves with the status. */
async function upload(port: number, clientPath: string): Promise<number> {
  const { body, contentType } = multipart([{ name: 'file', filename: 'x.txt', content: 'a file of that name' }]);
  const response = await fetch(`http://127.0.0.1:${port}/api/sync/files/upload?path=${encodeURIComponent(clientPath)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': contentType },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * An upload into folders it creates (`uploads/new/deep/big.bin`) killed by
 * SIGKILL leaves its temp file in them. The restart removed the temp file but
 * kept the folders it had been made in: an empty `uploads/new` then stood
 * where a peer's file `uploads/new` goes, and every upload of it was 409
 * PATH_CONFLICT (a peer's round failing for good while this server runs no
 * round of its own).
 */
describe('ae1: a crash mid-upload leaves no folder behind either, once restarted', () => {
  let temp: ReturnType<typeof tempDir>;
  let children: Child[];
  let requests: http.ClientRequest[];

  beforeEach(() => {
    temp = tempDir();
    children = [];
    requests = [];
  });
  afterEach(async () => {
    for (const request of requests) request.destroy();
    for (const child of children) await sigkill(child.process);
    temp.cleanup();
  });

  it('the folders made for the temp file go with it, a folder of the operator stays, and a file of that name is taken', async () => {
    const roots = makeRoots(path.join(temp.dir, 'data'));
    const uploads = roots.uploads ?? '';
    mkdirSync(path.join(uploads, 'kept', 'empty'), { recursive: true }); // an operator's own empty folder, no leftover in it
    const victim = startChild(SERVER_CHILD, [JSON.stringify(roots)]);
    children.push(victim);
    requests.push(stalledUpload(await portOf(victim), 'uploads/new/deep/big.bin'));
    await until(() => tempFilesUnder(uploads).length > 0, 'the upload to reach the disk');
    await sigkill(victim.process);
    expect(tempFilesUnder(uploads)).toHaveLength(1);

    const restarted = startChild(SERVER_CHILD, [JSON.stringify(roots)]);
    children.push(restarted);
    const port = await portOf(restarted);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(existsSync(path.join(uploads, 'new'))).toBe(false);
    expect(existsSync(path.join(uploads, 'kept', 'empty'))).toBe(true);
    expect(await upload(port, 'uploads/new')).toBe(201);
  });
});
