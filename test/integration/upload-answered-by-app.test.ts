import { readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const PART_HEAD = Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="t1.bin"\r\n\r\n');
const FILE_BYTES = 20 * 1024 * 1024;

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000; // generous: a loaded machine
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Paths this process holds open (Linux only; empty elsewhere). */
function openPaths(): string[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe('an upload answered by app middleware in front of the router', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;
  let answerNow: (() => void) | undefined;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    const app = express();
    // A "timeout" middleware of the app: it answers while the router still reads the body.
    app.use((_req, res, next) => {
      answerNow = () => {
        if (!res.headersSent) res.status(503).json({ error: 'timeout' });
      };
      next();
    });
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots }));
    server = await startServer(app);
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('removes the half-written temp file and closes its handle', async () => {
    const request = http.request(`${server.url}/api/sync/files/upload?path=uploads/t1.bin`, {
      method: 'POST',
      agent: false,
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        'Content-Type': 'multipart/form-data; boundary=b',
        'Content-Length': String(PART_HEAD.length + FILE_BYTES + 8),
      },
    });
    const answered = new Promise<number | undefined>((resolve) => {
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', () => resolve(undefined));
    });
    // Part of the body, then the client holds: the temp file is open and half written.
    request.write(Buffer.concat([PART_HEAD, Buffer.alloc(256 * 1024, 0x62)]));
    await waitUntil(() => tempFilesUnder(uploads).length === 1);
    const [tempFile] = tempFilesUnder(uploads);
    expect(tempFile).toBeDefined();
    await waitUntil(() => openPaths().includes(tempFile ?? ''));

    answerNow?.();
    expect(await answered).toBe(503);
    await waitUntil(() => tempFilesUnder(uploads).length === 0 && !openPaths().includes(tempFile ?? ''));
    expect(tempFilesUnder(uploads)).toEqual([]);
    expect(openPaths()).not.toContain(tempFile);
    request.destroy();
  });
});
