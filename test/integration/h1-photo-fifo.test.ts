import { execFileSync } from 'node:child_process';
import { constants, existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

const HAS_MKFIFO = process.platform !== 'win32' && existsSync('/usr/bin/mkfifo');

/** Lets an open of `fifo` that waits for a writer go on (a writer opens and leaves), so nothing stays blocked. */
function releaseReaders(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader is waiting
  }
}

(HAS_MKFIFO ? describe : describe.skip)('sample app: a pipe named like a photo in uploads/pit/', () => {
  let server: SampleServer;
  let fifo: string;
  beforeEach(async () => {
    server = await startSampleServer();
    mkdirSync(path.join(server.dataDir, 'uploads', 'pit'), { recursive: true });
    fifo = path.join(server.dataDir, 'uploads', 'pit', 'robot.jpg');
    execFileSync('/usr/bin/mkfifo', [fifo]);
  });
  afterEach(async () => {
    releaseReaders(fifo);
    await server.close();
  });

  it('GET /photos/file/robot.jpg answers 404: the pipe is not opened waiting for a writer (before, the request hung and held a thread)', async () => {
    const response = await request(server.url).get('/photos/file/robot.jpg');
    expect(response.status).toBe(404);
    expect(response.text).toContain('no photo robot.jpg');
  });

  it('the photo list leaves it out', async () => {
    const response = await request(server.url).get('/photos').expect(200);
    expect(response.text).toContain('No pit photos yet.');
  });
});
