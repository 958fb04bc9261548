import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { makeRoots, put } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED, giveToUnprivileged, startUnprivilegedRouter, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A file on the peer that its server cannot read (copied in with sudo, its
 * mode 600 and another owner), after a restart of that server: its listing
 * left it out. This server's copy is kept (never taken for deleted there):
 * the peer now refuses the whole listing of that root with 403
 * FILE_UNREADABLE naming the file and the fix, as for a folder it may not read.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a file the peer cannot read is never taken for deleted', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    temp = tempDir('ess-h4-unreadable-');
    chmodSync(temp.dir, 0o755);
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    temp.cleanup();
  });

  function startChild(serverRoots: Record<string, string>): Promise<string> {
    const started = startUnprivilegedRouter(serverRoots);
    child = started.child;
    return started.url;
  }

  it('keeps the local copy, and the refused listing names the file and the fix', async () => {
    const serverRoots = makeRoots(path.join(temp.dir, 'server'));
    const report = put(serverRoots.uploads ?? '', 'report.txt', 'the report');
    giveToUnprivileged(path.join(temp.dir, 'server'), ...Object.values(serverRoots));
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
      await stopUnprivileged(child); // a restart: nothing of the file is remembered
      url = await startChild(serverRoots);
      await client.stop();
      client = new SyncClient({ peers: [url], token: TEST_TOKEN, stateDir: path.join(temp.dir, 'state'), logger: silentLogger, files: { roots: local, policy: createFilePolicy(), cache } });
      const [second] = await client.syncAll();
      expect(existsSync(copy)).toBe(true);
      expect(second?.filesDeleted).toBe(0);
      // The peer gives no listing of the root rather than one without the file (a peer holding a base with it would
      // delete its copy): the root fails loudly, naming the file and the fix; nothing is deleted or sent.
      expect(second?.fileErrors).toEqual([expect.objectContaining({ path: 'uploads', code: 'FILE_UNREADABLE' })]);
      expect(second?.fileErrors?.[0]?.message).toMatch(/the file uploads\/report\.txt cannot be read .*chmod or chown/);
    } finally {
      await client.stop();
      cache.close();
    }
  });
});
