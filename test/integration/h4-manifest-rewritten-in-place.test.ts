import { createHash } from 'node:crypto';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { makeRoots, put, SQLITE_BYTES } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const AN_HOUR_AGO = new Date(Date.now() - 3600_000);
const SIZE = 4096;

const sha = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** The same number of bytes, starting with `head`, filled with `fill`. */
function bytes(head: Buffer, fill: number): Buffer {
  const out = Buffer.alloc(SIZE, fill);
  head.copy(out);
  return out;
}

/**
 * A file rewritten in place (same inode) with as many bytes, its modification
 * time put back as it was (`cp -p` or `rsync --inplace -t` over it, `touch -r`):
 * only its change time tells it was written.
 */
function rewriteKeepingTimes(file: string, content: Buffer): void {
  const before = statSync(file);
  writeFileSync(file, content, { flag: 'r+' });
  utimesSync(file, before.atime, before.mtime);
  expect(statSync(file)).toMatchObject({ ino: before.ino, size: before.size, mtimeMs: before.mtimeMs });
}

describe('a file rewritten in place with the same size and modification time', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let file: string;
  beforeEach(async () => {
    temp = tempDir('ess-h4-inplace-');
    const roots = makeRoots(temp.dir);
    file = put(roots.uploads ?? '', 'report.png', bytes(Buffer.from('PNG'), 0x61));
    utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO); // old enough to be cached
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  async function listed(): Promise<Record<string, string>> {
    const answer = await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    return Object.fromEntries((answer.body as { files: { path: string; sha256: string }[] }).files.map((entry) => [entry.path, entry.sha256]));
  }

  it('is hashed again: its new content is listed, not the old digest', async () => {
    expect(await listed()).toEqual({ 'report.png': sha(bytes(Buffer.from('PNG'), 0x61)) });
    const edited = bytes(Buffer.from('PNG'), 0x62);
    rewriteKeepingTimes(file, edited);
    expect(await listed()).toEqual({ 'report.png': sha(edited) });
  });

  it('is left out of the manifest once it holds an SQLite database, and its download is refused', async () => {
    expect(Object.keys(await listed())).toEqual(['report.png']);
    rewriteKeepingTimes(file, bytes(SQLITE_BYTES.subarray(0, 100), 0));
    expect(await listed()).toEqual({});
    const download = await request(server.url).get('/api/sync/files/download?path=uploads/report.png').set(AUTH);
    expect([download.status, (download.body as { error?: { code?: string } }).error?.code]).toEqual([403, 'DB_CONTENT_REFUSED']);
  });
});
