import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
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

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface Answer {
  readonly status: number;
  readonly body: { error?: { code: string; message: string }; files?: { path: string }[] };
}

async function get(url: string): Promise<Answer> {
  const res = await fetch(url, { headers: AUTH });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/**
 * `GET /files/checksums` of a root whose folder, or a folder in it, the
 * server may not read (another user's, mode 000, or searchable but not
 * readable) answered 200 with an empty or partial list, so a peer took the
 * files in it for deleted there and deleted its own copies. Now it is 403
 * FILE_UNREADABLE naming the folder, and a peer's round fails for that root
 * with every file kept. The server runs as nobody (the tests run as root).
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a folder the server cannot read is never listed as empty', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let uploads: string;
  let url: string;
  const locked: string[] = [];

  beforeEach(async () => {
    temp = tempDir('ess-h8-unreadable-folders-');
    chmodSync(temp.dir, 0o755);
    uploads = path.join(temp.dir, 'server', 'uploads');
    mkdirSync(uploads, { recursive: true });
    put(uploads, 'open.txt', 'readable');
    put(uploads, 'team/a.txt', 'a');
    put(uploads, 'team/b.txt', 'b');
    put(uploads, 'notes/one.txt', 'one');
    giveToUnprivileged(uploads, path.join(uploads, 'team'), path.join(uploads, 'notes'));
    const started = startUnprivilegedRouter({ uploads });
    child = started.child;
    url = await started.url;
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    for (const dir of locked.splice(0)) chmodSync(dir, 0o755);
    temp.cleanup();
  });

  function lock(relative: string, mode: number): void {
    const dir = relative === '' ? uploads : path.join(uploads, relative);
    chmodSync(dir, mode);
    locked.push(dir);
  }

  it.each([
    ['mode 000', 0o000],
    ['searchable but not readable (311)', 0o311],
  ])('the root folder, %s: 403 FILE_UNREADABLE naming the root, not an empty list', async (_what, mode) => {
    lock('', mode);
    const res = await get(`${url}/files/checksums?path=uploads`);
    expect([res.status, res.body.error?.code]).toEqual([403, 'FILE_UNREADABLE']);
    expect(res.body.error?.message).toMatch(/^the folder uploads /);
    expect(res.body.error?.message).not.toContain(temp.dir);
  });

  it.each([
    ['mode 000', 0o000],
    ['searchable but not readable (311)', 0o311],
    ['readable but not searchable (644)', 0o644],
  ])('a subfolder, %s: 403 FILE_UNREADABLE naming it, for the root and for the folder itself', async (_what, mode) => {
    lock('team', mode);
    for (const asked of ['uploads', 'uploads/team']) {
      const res = await get(`${url}/files/checksums?path=${asked}`);
      expect([res.status, res.body.error?.code]).toEqual([403, 'FILE_UNREADABLE']);
      expect(res.body.error?.message).toMatch(/^the folder uploads\/team /);
    }
    const other = await get(`${url}/files/checksums?path=uploads/notes`);
    expect(other.status).toBe(200); // a folder beside it is still listed
    expect(other.body.files?.map((file) => file.path)).toEqual(['notes/one.txt']);
  });

  it('a folder never entered (a database name, a temp-file name) may be unreadable: the listing is 200', async () => {
    put(uploads, 'old.db-wal/x.txt', 'never listed');
    put(uploads, '.x.sync-tmp-1-000000000000/y.txt', 'never listed');
    lock('old.db-wal', 0o000);
    lock('.x.sync-tmp-1-000000000000', 0o000);
    const res = await get(`${url}/files/checksums?path=uploads`);
    expect(res.status).toBe(200);
    expect(res.body.files?.map((file) => file.path)).toEqual(['notes/one.txt', 'open.txt', 'team/a.txt', 'team/b.txt']);
  });

  it('a listing that can be read again is whole again', async () => {
    lock('team', 0o000);
    expect((await get(`${url}/files/checksums?path=uploads`)).status).toBe(403);
    chmodSync(path.join(uploads, 'team'), 0o755);
    const res = await get(`${url}/files/checksums?path=uploads`);
    expect(res.status).toBe(200);
    expect(res.body.files?.map((file) => file.path)).toEqual(['notes/one.txt', 'open.txt', 'team/a.txt', 'team/b.txt']);
  });

  it("a peer that synced the folder's files keeps its copies; its round names the folder", async () => {
    const local = resolveSyncRoots(makeRoots(path.join(temp.dir, 'client')));
    const cache = new ManifestCache();
    const client = new SyncClient({ peers: [url], token: TEST_TOKEN, stateDir: path.join(temp.dir, 'state'), logger: silentLogger, files: { roots: local, policy: createFilePolicy(), cache } });
    try {
      const [first] = await client.syncAll();
      expect(first?.filesDown).toBe(4);
      lock('team', 0o000); // 2 files of 4 (50 %): under the mass-delete guard's default
      const [second] = await client.syncAll();
      for (const name of ['team/a.txt', 'team/b.txt', 'open.txt']) expect(existsSync(path.join(local.get('uploads') ?? '', name))).toBe(true);
      expect(second?.filesDeleted).toBe(0);
      expect(second?.ok).toBe(false);
      expect(second?.fileErrors).toEqual([expect.objectContaining({ path: 'uploads', code: 'FILE_UNREADABLE' })]);
      expect(second?.fileErrors[0]?.message).toContain('uploads/team');
    } finally {
      await client.stop();
      cache.close();
    }
  });
});
