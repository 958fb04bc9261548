import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import express from 'express';
import { saveGuardedUpload, uploadGuard } from '../../index';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startServer, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { captureLog, type CapturedLog } from '../helpers/log';

// Found by the fault hunt (flaky Wi-Fi): an upload whose sender went
// half-open (the link lost without a FIN) held its request and its partial
// temp file until Node's requestTimeout, 5 minutes, and every retry of the
// sender meanwhile left one more. An upload that brings no byte for
// `uploadStallMs` is cut, and its temp file removed.
/** Long against the slow upload's pauses (a tenth of it), so a loaded machine's late timers never make them look like a stall. */
const STALL_MS = 1000;
/** Bounds each wait for the server to act (generous: a loaded machine). */
const BOUND_MS = 30_000;

/** Resolves once `check` holds, or with false after {@link BOUND_MS}. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (const until = Date.now() + BOUND_MS; Date.now() < until; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('an upload whose sender stalls half-way', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;
  let log: CapturedLog;
  const sockets: net.Socket[] = [];
  beforeEach(async () => {
    temp = tempDir('ess-h5-upload-stall-');
    roots = makeRoots(path.join(temp.dir, 'roots'));
    log = captureLog();
    const app = express().post('/upload', uploadGuard({ roots, uploadStallMs: STALL_MS, logger: log.logger }), async (req, res) => {
      await saveGuardedUpload(req);
      res.json({ ok: true });
    });
    server = await startServer(app);
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await server.close();
    temp.cleanup();
  });

  /** Opens a raw connection and sends the request head and `bodyBytes` of the multipart body of a `fileBytes` file. */
  async function send(fileBytes: number, bodyBytes: number): Promise<{ socket: net.Socket; body: Buffer; closed: () => boolean; answer: () => string }> {
    const { body, contentType } = multipart([{ name: 'file', filename: 'video.bin', content: randomBytes(fileBytes) }]);
    const socket = net.connect(server.port, '127.0.0.1');
    sockets.push(socket);
    let closed = false;
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /upload?path=uploads/video.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, bodyBytes));
    return { socket, body, closed: () => closed, answer: () => answer };
  }

  it('is cut once silent for uploadStallMs: its connection closed, no temp file left', async () => {
    const { closed } = await send(1_000_000, 300_000);
    expect(await eventually(() => tempFilesUnder(roots.uploads as string).length > 0)).toBe(true); // it was being written
    expect(await eventually(() => closed() && tempFilesUnder(roots.uploads as string).length === 0)).toBe(true);
    expect(existsSync(path.join(roots.uploads as string, 'video.bin'))).toBe(false);
    // Told once, as a warning, on the logger given (x1: the router's guard had none, so no cut was ever logged).
    expect(log.events('upload.abandoned')).toEqual([expect.objectContaining({ level: 40, method: 'POST', path: '/upload', stallMs: STALL_MS })]);
  });

  it('a slow upload that keeps bringing bytes is not cut', async () => {
    const { socket, body, answer } = await send(50_000, 1000);
    for (let at = 1000; at < body.length; at += 5000) {
      await new Promise((resolve) => setTimeout(resolve, STALL_MS / 10));
      socket.write(body.subarray(at, at + 5000));
    }
    expect(await eventually(() => answer().includes('"ok":true'))).toBe(true);
    expect(existsSync(path.join(roots.uploads as string, 'video.bin'))).toBe(true);
  });

  it('refuses a logger without info, warn and error functions at construction', () => {
    expect(() => uploadGuard({ roots, logger: { warn: () => undefined } as never })).toThrow(/logger/);
  });

  it.each([0, -1, 1.5, '60000'])('refuses uploadStallMs %p at construction', (value) => {
    expect(() => uploadGuard({ roots, uploadStallMs: value as number })).toThrow(/uploadStallMs/);
  });
});
