import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { makeRoots, put, tempFilesUnder } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED, giveToUnprivileged, startUnprivilegedRouter, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A server whose sync folder is read-only (a read-only disk, a folder made by
 * another user, a disk full simulated so): an upload or a deletion was 500
 * "internal error", so the operator of the peer pushing to it read only
 * "upload uploads/x.txt: internal error" round after round, and a scout's
 * photo page "try again". Now 507 STORAGE_NOT_WRITABLE names the path and
 * what to do, and nothing is written or deleted.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a sync folder the server cannot write: 507 STORAGE_NOT_WRITABLE', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let roots: Record<string, string>;
  let url: string;

  beforeEach(async () => {
    temp = tempDir('ess-h4-ro-');
    chmodSync(temp.dir, 0o755);
    roots = makeRoots(path.join(temp.dir, 'server'));
    put(roots.uploads ?? '', 'kept.txt', 'kept');
    giveToUnprivileged(path.join(temp.dir, 'server'), ...Object.values(roots), path.join(roots.uploads ?? '', 'kept.txt'));
    chmodSync(roots.uploads ?? '', 0o555);
    const started = startUnprivilegedRouter(roots);
    child = started.child;
    url = await started.url;
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    chmodSync(roots.uploads ?? '', 0o755);
    temp.cleanup();
  });

  const authorized = { Authorization: `Bearer ${TEST_TOKEN}` };

  it('an upload into it is 507 naming the path and the fix, not "internal error"; no temp file is left', async () => {
    const form = new FormData();
    form.append('file', new Blob(['new bytes']), 'x.txt');
    for (const target of ['uploads/x.txt', 'uploads/sub/x.txt']) {
      const response = await fetch(`${url}/files/upload?path=${target}`, { method: 'POST', headers: authorized, body: form });
      expect(response.status).toBe(507);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('STORAGE_NOT_WRITABLE');
      expect(body.error.message).toContain(target);
      expect(body.error.message).toMatch(/may not change it \(EACCES: a read-only disk, or a folder or file of another user\)/);
      expect(body.error.message).not.toContain(temp.dir); // the server's folders stay in its log
    }
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(existsSync(path.join(roots.uploads ?? '', 'x.txt'))).toBe(false);
  });

  it('a deletion in it is 507 STORAGE_NOT_WRITABLE and the file stays', async () => {
    const response = await fetch(`${url}/files?path=uploads/kept.txt`, { method: 'DELETE', headers: authorized });
    expect(response.status).toBe(507);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'STORAGE_NOT_WRITABLE' });
    expect(body.error.message).toContain('uploads/kept.txt cannot be deleted');
    expect(readFileSync(path.join(roots.uploads ?? '', 'kept.txt'), 'utf8')).toBe('kept');
  });

  it("a peer pushing a file to it reads the code and the fix in the round's file errors", async () => {
    const local = resolveSyncRoots(makeRoots(path.join(temp.dir, 'client')));
    put(local.get('uploads') ?? '', 'photo.txt', 'from the client');
    const cache = new ManifestCache();
    const client = new SyncClient({ peers: [url], token: TEST_TOKEN, stateDir: path.join(temp.dir, 'state'), logger: silentLogger, files: { roots: local, policy: createFilePolicy(), cache } });
    try {
      const [result] = await client.syncAll();
      const error = result?.fileErrors.find((entry) => entry.path === 'uploads/photo.txt');
      expect(error?.code).toBe('STORAGE_NOT_WRITABLE');
      expect(error?.message).toMatch(/may not change it \(EACCES: a read-only disk, or a folder or file of another user\)/);
      expect(error?.message).not.toMatch(/this server/); // read at the peer, "this server" would name the wrong one
    } finally {
      await client.stop();
      cache.close();
    }
  });
});
