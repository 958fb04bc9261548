import type { ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { makeRoots, put } from '../helpers/file-roots';
import { runCli } from '../helpers/h7-cli';
import { CAN_RUN_UNPRIVILEGED, giveToUnprivileged, startUnprivilegedRouter, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A round whose every file transfer failed with EACCES (the peer's folder not writable: 507
 * STORAGE_NOT_WRITABLE) was `ok`, so `/status`, the page and the CLI said the peer was `ok`
 * while nothing moved. Now such a round fails with the file error's code: the peer is `failing`,
 * `lastErrorCode` names it and `lastError` names the path; the file errors are still listed.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('file transfers that failed for want of rights', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let peerRoots: Record<string, string>;
  let node: SyncNode | undefined;
  let local: TestServer | undefined;

  beforeEach(async () => {
    temp = tempDir('ess-h2-eacces-');
    chmodSync(temp.dir, 0o755);
    peerRoots = makeRoots(path.join(temp.dir, 'peer'));
    giveToUnprivileged(path.join(temp.dir, 'peer'), ...Object.values(peerRoots));
    chmodSync(peerRoots.uploads ?? '', 0o555); // the peer may not write its uploads folder
    const started = startUnprivilegedRouter(peerRoots);
    child = started.child;
    const peerUrl = await started.url;
    const roots = makeRoots(path.join(temp.dir, 'local'));
    put(roots.uploads ?? '', 'a.jpg', 'photo a');
    put(roots.uploads ?? '', 'b.jpg', 'photo b');
    node = createSyncNode({ name: 'local', token: TEST_TOKEN, roots, peers: [peerUrl], stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    local = await startServer(app);
  });

  afterEach(async () => {
    await node?.stop(0);
    await local?.close();
    await stopUnprivileged(child);
    chmodSync(peerRoots.uploads ?? '', 0o755);
    temp.cleanup();
  });

  it('fail the round: the peer is failing, with the code and the path, on the result, /status, /run and the CLI', async () => {
    const [result] = await node!.syncNow();
    expect(result).toMatchObject({ ok: false, filesUp: 0, fileErrorCount: 2 });
    expect(result?.error?.code).toBe('STORAGE_NOT_WRITABLE');
    expect(result?.error?.message).toMatch(/uploads\/[ab]\.jpg/);
    expect(result?.error?.message).toMatch(/2 file steps failed/);
    const status = await request(local!.app).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    const peer = (status.body as { peers: Array<{ state: string; lastErrorCode: string; lastError: string; failures: number }> }).peers[0];
    expect(peer).toMatchObject({ state: 'failing', lastErrorCode: 'STORAGE_NOT_WRITABLE', failures: 1 });
    expect(peer?.lastError).toMatch(/uploads\/[ab]\.jpg/);
    const run = await request(local!.app).post('/api/sync/run').set('Authorization', `Bearer ${TEST_TOKEN}`);
    expect(run.status).toBe(502); // the only peer failed
    const cli = await runCli(['status', '--url', local!.url, '--token', TEST_TOKEN]);
    expect(cli.stdout).toMatch(/failing/);
    expect(cli.stdout).toContain('STORAGE_NOT_WRITABLE');
  });
});
