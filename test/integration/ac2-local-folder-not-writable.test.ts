import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import express from 'express';
import { createSyncRouter } from '../../node/create-sync-router';
import { silentLogger } from '../../lib/logger';
import { makeRoots, put } from '../helpers/file-roots';
import { AS_ROOT, CAN_RUN_UNPRIVILEGED, NOBODY } from '../helpers/h4-unprivileged-app';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'index.js');

/** A sync node of the built package syncing argv[1]'s roots (JSON) with argv[2] once, then printing its result, status and log lines as JSON. */
const CLIENT_CHILD = `
const { Writable } = require('node:stream');
const pino = require('pino');
const { createSyncNode } = require(${JSON.stringify(DIST)});
const lines = [];
const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(...chunk.toString().split('\\n').filter(Boolean).map((l) => JSON.parse(l))); done(); } }));
const node = createSyncNode({ token: ${JSON.stringify(TEST_TOKEN)}, roots: JSON.parse(process.argv[1]), peers: [process.argv[2]], stateDir: process.argv[3], logger });
node.syncNow().then(async ([result]) => {
  const status = node.client.peerStatuses()[0];
  await node.stop(0);
  process.stdout.write(JSON.stringify({ result, status, lines }));
});
`;

interface ChildAnswer {
  readonly result: { ok: boolean; error?: { code: string; message: string }; fileErrors: { path: string; code: string; message: string }[] };
  readonly status: { state: string; lastErrorCode: string | null; lastError: string | null };
  readonly lines: Record<string, unknown>[];
}

/** Runs {@link CLIENT_CHILD} without root's rights (as `nobody` when the test runs as root). */
async function syncOnceUnprivileged(roots: Record<string, string>, peer: string, stateDir: string): Promise<ChildAnswer> {
  const child = spawn(process.execPath, ['-e', CLIENT_CHILD, JSON.stringify(roots), peer, stateDir], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return JSON.parse(out) as ChildAnswer;
}

/**
 * A sync root's folder this server's user may not write (made by another user, or left read-only):
 * every surface said the step's raw words, "EACCES: permission denied, open '…/.robot.jpg.sync-tmp-…'",
 * and the log "retried next round", as if it would heal by itself; it never does. The message now
 * names the folder, the user and a command that gives that user the folder.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a file step this server may not write: the folder, the user and the fix', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let mine: Record<string, string>;
  let pit: string;

  beforeEach(async () => {
    temp = tempDir('ess-ac2-eacces-');
    chmodSync(temp.dir, 0o755);
    const theirs = makeRoots(path.join(temp.dir, 'peer'));
    put(theirs.uploads ?? '', 'pit/robot.jpg', 'a photo');
    peer = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, roots: theirs, logger: silentLogger })));
    mine = makeRoots(path.join(temp.dir, 'mine'));
    pit = path.join(mine.uploads ?? '', 'pit');
    put(mine.uploads ?? '', 'pit/.keep', '');
    mkdirSync(path.join(temp.dir, 'state'));
    for (const dir of [path.join(temp.dir, 'mine'), path.join(temp.dir, 'state'), ...Object.values(mine), pit, path.join(pit, '.keep')]) if (AS_ROOT) chownSync(dir, NOBODY, NOBODY);
    chmodSync(pit, 0o555); // the folder is this server's user's, left read-only
  });
  afterEach(async () => {
    chmodSync(pit, 0o755);
    await peer.close();
    temp.cleanup();
  });

  it('the result, /status and the log name the folder and a fix that works when run', async () => {
    const stateDir = path.join(temp.dir, 'state');
    const answer = await syncOnceUnprivileged(mine, `${peer.url}/api/sync`, stateDir);
    const user = AS_ROOT ? 'nobody' : userInfo().username;
    expect(answer.result.ok).toBe(false);
    expect(answer.result.error?.code).toBe('EACCES');
    const fix = `chown -R ${user} ${pit} && chmod -R u+rwX ${pit}`;
    for (const text of [answer.result.error?.message, answer.status.lastError, answer.result.fileErrors[0]?.message]) {
      expect(text).toContain(`this server's user (${user}) may not change ${pit}`);
      expect(text).toContain(fix);
    }
    expect(answer.status).toMatchObject({ state: 'failing', lastErrorCode: 'EACCES' });
    const logged = answer.lines.find((line) => line.event === 'files.error');
    expect(logged).toMatchObject({ code: 'EACCES', path: 'uploads/pit/robot.jpg' });
    expect(String(logged?.msg)).toContain(fix);

    execFileSync('sh', ['-c', fix]); // the fix, pasted as it is shown
    const healed = await syncOnceUnprivileged(mine, `${peer.url}/api/sync`, stateDir);
    expect(healed.result.ok).toBe(true);
    expect(healed.status).toMatchObject({ state: 'ok', lastErrorCode: null });
    expect(existsSync(path.join(pit, 'robot.jpg'))).toBe(true);
  });
});
