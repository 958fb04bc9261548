import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { createFilesRouter } from '../../routes/files';
import { makeRoots, put } from '../helpers/file-roots';
import { eventually, openFiles, serverSockets, slowClient, stalledClient, warningsLogger } from '../helpers/h9-stalled-client';
import { startServer, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;
/** Long against the slow client's pauses (a tenth of it), so a loaded machine's late timers never make them look like a stall. */
const STALL_MS = 1000;

// A download to a client gone half-open (its laptop left the Wi-Fi; here a
// client that stops reading) kept its socket and its file handle until the
// operating system gave up, minutes later: many such clients ran the server
// out of file handles. Only snapshots were abandoned; now every download is.
describe('a file download whose client stopped reading', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let file: string;
  let content: Buffer;
  let log: ReturnType<typeof warningsLogger>;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    content = randomBytes(16 * MB); // far more than the socket buffers of 127.0.0.1 hold
    file = put(roots.uploads ?? '', 'big.bin', content);
    log = warningsLogger();
    const config = { roots: resolveSyncRoots(roots), policy: createFilePolicy(), cache: new ManifestCache(), uploadRoot: 'uploads', maxUploadBytes: MB, refusedBodyDrainBytes: MB, refusedBodyDrainMs: 1000, sendStallMs: STALL_MS, logger: log.logger };
    server = await startServer(express().use('/files', createFilesRouter(config)));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('is abandoned after sendStallMs: the socket closed, the file handle released, logged once', async () => {
    const connections = serverSockets(server.server);
    const client = await stalledClient(server.port, '/files/download?path=uploads/big.bin');
    try {
      expect(openFiles()).toContain(file); // the route holds it while it sends
      await eventually(30_000, () => connections.allClosed(), 'the server closing the stalled download');
      await eventually(30_000, () => !openFiles().includes(file), 'the file handle released');
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toBe(`abandoned GET /files/download: the client took no bytes for ${STALL_MS} ms`);
    } finally {
      client.destroy();
    }
  });

  it('never cuts a slow client that keeps taking bytes, nor a normal download', async () => {
    const slow = await slowClient(server.port, '/files/download?path=uploads/big.bin', 2 * MB, STALL_MS / 10);
    const body = slow.subarray(slow.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBe(content.length);
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    const answer = await fetch(`${server.url}/files/download?path=uploads/big.bin`);
    expect(Buffer.from(await answer.arrayBuffer()).equals(content)).toBe(true);
    expect(log.warnings).toEqual([]);
    await eventually(30_000, () => !openFiles().includes(file), 'the file handle released');
  });

  it('leaves a kept-alive connection its keep-alive timeout once the download ended', async () => {
    const connections = serverSockets(server.server);
    const answer = await fetch(`${server.url}/files/download?path=uploads/big.bin`);
    await answer.arrayBuffer();
    // Node arms keepAliveTimeout (plus a margin) on the socket as the answer ends; the stall wait must not clear it.
    await eventually(30_000, () => (connections.sockets[0]?.timeout ?? 0) >= server.server.keepAliveTimeout, 'the keep-alive timeout');
  });
});
