import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import express from 'express';
import { createSyncRouter } from '../../node/create-sync-router';
import { openSampleDatabase } from '../../sample-app/database';
import { SAMPLE_ROOTS } from '../../sample-app/data-folders';
import { SCOUTING_TABLES } from '../../sample-app/scouting-schema';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { startLimitedSampleApp } from '../helpers/limited-sample-app';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
/** The limited app's file size limit, in the shell's 512-byte blocks. */
const BLOCKS = 6000;

interface PeerStatus {
  readonly lastResult?: { readonly ok: boolean; readonly filesDown: number; readonly fileErrors: readonly { readonly path: string; readonly code: string; readonly message: string }[] } | null;
}

/**
 * A server pulling a photo past its file size limit (`ulimit -f`; a disk that fills up does
 * the same): the write that crosses the limit writes its first bytes and succeeds. When it was
 * the download's last write, nothing came after it to fail: the temp file was shorter than the
 * bytes hashed, passed the SHA-256 check, and was renamed into place, truncated, with the
 * round ok (its next round would send the truncated photo back over the good one). Now every
 * byte is written (`writeAll`): the download fails with EFBIG, and nothing is put in place.
 */
describe('a sample app pulling a file past its file size limit (ulimit -f)', () => {
  let temp: ReturnType<typeof tempDir>;
  let sender: Database.Database;
  let server: TestServer;
  beforeEach(async () => {
    temp = tempDir('ess-ah4-pull-ulimit-');
    const peerDir = path.join(temp.dir, 'peer');
    const roots = Object.fromEntries(SAMPLE_ROOTS.map((root) => [root, path.join(peerDir, root)]));
    for (const folder of Object.values(roots)) mkdirSync(folder, { recursive: true });
    sender = openSampleDatabase(peerDir);
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: sender, tables: [...SCOUTING_TABLES], roots })));
  });
  afterEach(async () => {
    await killAppProcesses();
    await server.close();
    sender.close();
    temp.cleanup();
  });

  it('fails that file with EFBIG and puts nothing in place, when the limit falls in the last write', async () => {
    // 700 bytes past the limit: the last write of the download (a chunk of at least those bytes) crosses it.
    const photo = randomBytes(BLOCKS * 512 + 700);
    mkdirSync(path.join(temp.dir, 'peer', 'uploads', 'pit'), { recursive: true });
    writeFileSync(path.join(temp.dir, 'peer', 'uploads', 'pit', 'robot.jpg'), photo);
    const dataDir = path.join(temp.dir, 'data');
    const { syncUrl } = await startLimitedSampleApp(dataDir, BLOCKS, { SYNC_PEERS: `${server.url}/api/sync`, SYNC_INTERVAL_MS: '60000' });
    let peer: PeerStatus | undefined;
    for (let tries = 0; tries < 300 && (peer?.lastResult ?? null) === null; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peer = ((await (await fetch(`${syncUrl}/status`, { headers: AUTH })).json()) as { peers: PeerStatus[] }).peers[0];
    }
    const pulled = path.join(dataDir, 'uploads', 'pit', 'robot.jpg');
    if (existsSync(pulled)) expect(createHash('sha256').update(readFileSync(pulled)).digest('hex')).toBe(createHash('sha256').update(photo).digest('hex'));
    expect(existsSync(pulled)).toBe(false);
    expect(peer?.lastResult?.filesDown).toBe(0);
    expect(peer?.lastResult?.fileErrors).toEqual([expect.objectContaining({ path: 'uploads/pit/robot.jpg', code: 'EFBIG' })]);
    // What to do, naming the folder, not Node's bare "EFBIG: file too large, write"; and no round "ok" with a file that never comes.
    expect(peer?.lastResult?.fileErrors[0]?.message).toMatch(/over this server's file size limit \(ulimit -f .*holding .*uploads\/pit.*raise the limit/);
    expect(peer?.lastResult?.ok).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS);

  it('an upload to it past the limit is refused and leaves nothing, not a shorter file than the hash it answers', async () => {
    const photo = randomBytes(BLOCKS * 512 + 700);
    const dataDir = path.join(temp.dir, 'data');
    const { syncUrl } = await startLimitedSampleApp(dataDir, BLOCKS);
    const form = new FormData();
    form.append('file', new Blob([photo]), 'robot.jpg');
    const response = await fetch(`${syncUrl}/files/upload?path=uploads/pit/robot.jpg`, { method: 'POST', headers: AUTH, body: form });
    const answer = (await response.json()) as { sha256?: string; error?: { code: string } };
    const stored = path.join(dataDir, 'uploads', 'pit', 'robot.jpg');
    if (existsSync(stored)) expect(createHash('sha256').update(readFileSync(stored)).digest('hex')).toBe(answer.sha256);
    expect(response.status).toBe(507);
    expect(answer.error?.code).toBe('INSUFFICIENT_STORAGE');
    expect(existsSync(stored)).toBe(false);
  }, APP_PROCESS_TIMEOUT_MS);
});
