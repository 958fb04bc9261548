import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { open } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import type express from 'express';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { digestOfOpenFile } from '../../routes/file-state';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const sha = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('downloads while files change, and of things that are not files', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;

  beforeEach(() => {
    temp = tempDir();
    roots = makeRoots(path.join(temp.dir, 'data'));
    app = makeApp({ roots });
  });
  afterEach(() => temp.cleanup());

  it('digests the file it opened, not what the path holds later, and caches it under that file only', async () => {
    const target = put(roots.uploads ?? '', 'f.bin', Buffer.alloc(4096, 'A'));
    const handle = await open(target, 'r');
    try {
      const stats = await handle.stat();
      put(roots.uploads ?? '', 'f.new', Buffer.alloc(4096, 'B'));
      renameSync(path.join(roots.uploads ?? '', 'f.new'), target);
      const cache = new ManifestCache({ watchDirectories: false });
      const digest = await digestOfOpenFile(cache, target, handle, stats);
      expect(digest).toEqual({ kind: 'file', sha256: sha(Buffer.alloc(4096, 'A')) });
      expect(cache.get(target, statSync(target))).toBeUndefined();
    } finally {
      await handle.close();
    }
  });

  it('sends the ETag and X-Content-SHA256 of the very bytes it sends while the file is replaced again and again', async () => {
    const versions = Array.from({ length: 8 }, (_, index) => Buffer.alloc(64 * 1024, 65 + index));
    const target = path.join(roots.uploads ?? '', 'f.bin');
    let next = 0;
    const replace = (): void => {
      writeFileSync(`${target}.x`, versions[next % versions.length] ?? '');
      renameSync(`${target}.x`, target);
      next += 1;
    };
    replace();
    const writer = setInterval(replace, 1);
    try {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const response = await request(app)
          .get('/api/sync/files/download?path=uploads/f.bin')
          .set(AUTH)
          .buffer(true)
          .parse((res, callback) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => callback(null, Buffer.concat(chunks)));
          });
        expect(response.status).toBe(200);
        const body = response.body as Buffer;
        expect(response.headers.etag).toBe(`"${sha(body)}"`);
        expect(response.headers['x-content-sha256']).toBe(sha(body));
      }
    } finally {
      clearInterval(writer);
    }
  });

  it('answers at once for a pipe in a root: 404 to download it, and a file beside it still served and replaced', async () => {
    const uploads = roots.uploads ?? '';
    execFileSync('mkfifo', [path.join(uploads, 'pipe.txt'), path.join(uploads, 'store')]);
    put(uploads, 'store-wal', 'not a database');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await request(app).get('/api/sync/files/download?path=uploads/pipe.txt').set(AUTH);
      expect(response.status).toBe(404);
      expect((response.body as { error: { message: string } }).error.message).toContain('not a regular file');
    }
    expect((await request(app).get('/api/sync/files/download?path=uploads/store-wal').set(AUTH)).status).toBe(200);
    expect((await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH)).status).toBe(200);
    const upload = await request(app).post('/api/sync/files/upload?path=uploads/store-wal').set(AUTH).attach('file', Buffer.from('new'), 'store-wal');
    expect(upload.status).toBe(200);
  });

  it('answers 404 "not a regular file" for a listening Unix socket in a root, and leaves it listening', async () => {
    const socketPath = path.join(roots.uploads ?? '', 'app.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const response = await request(app).get('/api/sync/files/download?path=uploads/app.sock').set(AUTH);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('uploads/app.sock is not a regular file') as string } });
      expect(lstatSync(socketPath).isSocket()).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const EVENT = '{"name":"regional"}';
  it.each([
    ['its ETag, with Cache-Control: no-cache (as fetch() sends)', 304, (etag: string) => ({ 'If-None-Match': etag, 'Cache-Control': 'no-cache' })],
    ['its ETag, with Pragma: no-cache', 304, (etag: string) => ({ 'If-None-Match': etag, Pragma: 'no-cache' })],
    ['its ETag in a list', 304, (etag: string) => ({ 'If-None-Match': `"other", ${etag}` })],
    ['its ETag marked weak', 304, (etag: string) => ({ 'If-None-Match': `W/${etag}` })],
    ['*', 304, () => ({ 'If-None-Match': '*', 'Cache-Control': 'no-cache' })],
    ['another ETag', 200, () => ({ 'If-None-Match': `"${sha('other')}"`, 'Cache-Control': 'no-cache' })],
    ['its ETag, with a Range past the end (If-None-Match is weighed first)', 304, (etag: string) => ({ 'If-None-Match': etag, Range: 'bytes=999999-' })],
  ])('answers If-None-Match naming %s with %i', async (_case, status, headers) => {
    put(roots.config ?? '', 'event.json', EVENT);
    const response = await request(app).get('/api/sync/files/download?path=config/event.json').set(AUTH).set(headers(`"${sha(EVENT)}"`));
    expect(response.status).toBe(status);
    expect(response.headers.etag).toBe(`"${sha(EVENT)}"`);
  });
});
