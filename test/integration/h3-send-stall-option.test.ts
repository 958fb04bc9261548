import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createSyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, put } from '../helpers/file-roots';
import { eventually, serverSockets, stalledClient, warningsLogger } from '../helpers/h9-stalled-client';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;

// How long an answer may stall before the server abandons it was a setting of the routes only:
// createSyncRouter refused `sendStallMs` as an unknown option, so an operator on a slow link
// (or one who wants half-open clients cut sooner) could not change it.
describe('the sendStallMs option', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer | undefined;
  beforeEach(() => {
    temp = tempDir('ess-h3-stall-');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    temp.cleanup();
  });

  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['a string', '60000', TypeError, /`sendStallMs` must be a number, got string/],
    ['null', null, TypeError, /`sendStallMs` must be a number, got object/],
    ['zero', 0, RangeError, /`sendStallMs` must be a positive integer, got 0/],
    ['a negative number', -1, RangeError, /`sendStallMs` must be a positive integer, got -1/],
    ['a fraction', 1.5, RangeError, /`sendStallMs` must be a positive integer, got 1.5/],
    ['NaN', Number.NaN, RangeError, /`sendStallMs` must be a positive integer, got NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, RangeError, /`sendStallMs` must be a positive integer, got Infinity/],
  ])('refuses %s, naming the option and the value, in createSyncRouter and createSyncNode', (_label, value, type, message) => {
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    const options = { token: TEST_TOKEN, roots, logger: warningsLogger().logger, sendStallMs: value as number };
    expect(() => createSyncRouter(options)).toThrow(type);
    expect(() => createSyncRouter(options)).toThrow(message);
    expect(() => createSyncNode(options)).toThrow(message);
  });

  it('cuts a download whose client stopped reading after the time given', async () => {
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    put(roots.uploads ?? '', 'big.bin', randomBytes(16 * MB)); // far more than the socket buffers of 127.0.0.1 hold
    const log = warningsLogger();
    server = await startServer(express().use('/api/sync', createSyncRouter({ allowUnauthenticatedPeers: true, roots, logger: log.logger, sendStallMs: 300 })));
    const connections = serverSockets(server.server);
    const client = await stalledClient(server.port, `/api/sync/files/download?path=uploads/big.bin`);
    try {
      await eventually(30_000, () => connections.allClosed(), 'the server closing the stalled download');
      expect(log.warnings.filter((line) => line.includes('abandoned'))).toEqual([expect.stringMatching(/abandoned GET \/api\/sync\/files\/download: the client took no bytes for 300 ms/)]);
    } finally {
      client.destroy();
    }
  });
});
