import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { makeRoots, put } from '../helpers/file-roots';
import { AS_ROOT, CAN_RUN_UNPRIVILEGED } from '../helpers/h4-unprivileged-app';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const REPO = path.resolve(__dirname, '..', '..');
const DIST = path.join(REPO, 'dist', 'index.js');
const NOBODY = 65534;

/** A sync server in a child process without root's rights (the built package); prints "ready <port>". */
const SERVER_CHILD = `
const express = require('express');
const { createSyncRouter, silentLogger } = require(${JSON.stringify(DIST)});
const app = express();
app.use('/api/sync', createSyncRouter({ token: ${JSON.stringify(TEST_TOKEN)}, roots: JSON.parse(process.argv[1]), logger: silentLogger }));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write('ready ' + server.address().port + '\\n'));
`;

/**
 * A file on the peer that its server cannot read (copied in with sudo, its
 * mode 600 and another owner), after a restart of that server: its listing
 * leaves it out. This server's copy is kept (never taken for deleted there),
 * and its upload, refused there, was 500 "internal error": now 507
 * STORAGE_NOT_WRITABLE naming the file and the fix.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a file the peer cannot read is never taken for deleted', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    temp = tempDir('ess-h4-unreadable-');
    chmodSync(temp.dir, 0o755);
  });
  afterEach(async () => {
    await stopChild();
    temp.cleanup();
  });

  async function stopChild(): Promise<void> {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  function startChild(serverRoots: Record<string, string>): Promise<string> {
    child = spawn(process.execPath, ['-e', SERVER_CHILD, JSON.stringify(serverRoots)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) });
    return new Promise<string>((resolve, reject) => {
      let text = '';
      child?.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const port = /^ready (\d+)\n/.exec(text)?.[1];
        if (port !== undefined) resolve(`http://127.0.0.1:${port}/api/sync`);
      });
      child?.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
  }

  it('keeps the local copy, and the refused upload names the file and the fix', async () => {
    const serverRoots = makeRoots(path.join(temp.dir, 'server'));
    const report = put(serverRoots.uploads ?? '', 'report.txt', 'the report');
    if (AS_ROOT) for (const dir of [path.join(temp.dir, 'server'), ...Object.values(serverRoots)]) chownSync(dir, NOBODY, NOBODY);
    let url = await startChild(serverRoots);
    const local = resolveSyncRoots(makeRoots(path.join(temp.dir, 'client')));
    const cache = new ManifestCache();
    let client = new SyncClient({ peers: [url], token: TEST_TOKEN, stateDir: path.join(temp.dir, 'state'), logger: silentLogger, files: { roots: local, policy: createFilePolicy(), cache } });
    try {
      const [first] = await client.syncAll();
      expect(first?.filesDown).toBe(1);
      const copy = path.join(local.get('uploads') ?? '', 'report.txt');
      expect(readFileSync(copy, 'utf8')).toBe('the report');

      chmodSync(report, 0o000); // unreadable to the server's user
      await stopChild(); // a restart: nothing of the file is remembered
      url = await startChild(serverRoots);
      await client.stop();
      client = new SyncClient({ peers: [url], token: TEST_TOKEN, stateDir: path.join(temp.dir, 'state'), logger: silentLogger, files: { roots: local, policy: createFilePolicy(), cache } });
      const [second] = await client.syncAll();
      expect(existsSync(copy)).toBe(true);
      expect(second?.filesDeleted).toBe(0);
      expect(second?.fileErrors).toEqual([expect.objectContaining({ path: 'uploads/report.txt', code: 'STORAGE_NOT_WRITABLE' })]);
    } finally {
      await client.stop();
      cache.close();
    }
  });
});
