import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { createFilesRouter } from '../../routes/files';
import { makeRoots } from '../helpers/file-roots';
import { eventually, serverSockets, stalledClient, warningsLogger } from '../helpers/h9-stalled-client';
import { startServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;
const FILES = 15_000;

// A manifest of a large root (MBs of JSON) to a client gone half-open was held,
// with its socket, until the OS gave up on the link; now it is cut as a download is.
describe('a manifest whose client stopped reading', () => {
  it('is abandoned after sendStallMs: its connection closed, logged once', async () => {
    const temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    const folder = path.join(roots.uploads ?? '', 'many');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < FILES; i += 1) writeFileSync(path.join(folder, `${i}`.padStart(6, '0').padEnd(200, 'n')), `${i}`);
    const log = warningsLogger();
    const config = { roots: resolveSyncRoots(roots), policy: createFilePolicy(), cache: new ManifestCache(), uploadRoot: 'uploads', maxUploadBytes: MB, refusedBodyDrainBytes: MB, refusedBodyDrainMs: 1000, sendStallMs: 300, logger: log.logger };
    const server = await startServer(express().use('/files', createFilesRouter(config)));
    const connections = serverSockets(server.server);
    const client = await stalledClient(server.port, '/files/checksums?path=uploads');
    try {
      await eventually(30_000, () => connections.allClosed(), 'the server closing the stalled manifest');
      expect(log.warnings).toEqual(['abandoned GET /files/checksums: the client took no bytes for 300 ms']);
    } finally {
      client.destroy();
      await server.close();
      temp.cleanup();
    }
  });
});
