import { execFileSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import type express from 'express';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SPECIAL = /is a pipe, socket or device here, not a file/;

describe('pipes and sockets in a root are never deleted nor replaced through the file routes', () => {
  let temp: ReturnType<typeof tempDir>;
  let uploads: string;
  let app: express.Express;
  let socketServer: Server;

  beforeEach(async () => {
    temp = tempDir();
    uploads = makeRoots(path.join(temp.dir, 'data')).uploads ?? '';
    app = makeApp({ roots: { uploads } });
    execFileSync('mkfifo', [path.join(uploads, 'fifo')]);
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(path.join(uploads, 'app.sock'), resolve));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => socketServer.close(() => resolve()));
    temp.cleanup();
  });

  const stillThere = (): boolean[] => [lstatSync(path.join(uploads, 'fifo')).isFIFO(), lstatSync(path.join(uploads, 'app.sock')).isSocket()];

  it.each(['fifo', 'app.sock'])('DELETE uploads/%s: 409 PATH_CONFLICT, and it stays', async (name) => {
    const response = await request(app).delete(`/api/sync/files?path=uploads/${name}`).set(AUTH);
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringMatching(SPECIAL) as string } });
    expect(stillThere()).toEqual([true, true]);
  });

  it.each(['fifo', 'app.sock'])('an upload to uploads/%s: 409 PATH_CONFLICT, it stays, and no temp file is left', async (name) => {
    const response = await request(app).post(`/api/sync/files/upload?path=uploads/${name}`).set(AUTH).attach('file', Buffer.from('overwritten'), 'x.bin');
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringMatching(SPECIAL) as string } });
    expect(stillThere()).toEqual([true, true]);
    expect(tempFilesUnder(uploads)).toEqual([]);
  });
});
