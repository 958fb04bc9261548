import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { put } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED, giveToUnprivileged, startUnprivilegedRouter, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

async function get(url: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const res = await fetch(url, { headers: AUTH });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { error?: { code: string; message: string } } };
}

/**
 * A download of a file the server may not read (mode 000, another owner) was
 * 500 "internal error"; now 403 FILE_UNREADABLE naming the file, as is a file
 * in a folder the server may not enter (it was 400 "a symlink on the path is
 * dangling or unreadable"). A file gone between the listing and the download
 * is 404 NOT_FOUND. The server runs as nobody (the tests run as root, who may
 * read anything), from the built package.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a download the server cannot read is a 4xx, never a 500', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let uploads: string;
  let url: string;

  beforeEach(async () => {
    temp = tempDir('ess-h4-download-unreadable-');
    chmodSync(temp.dir, 0o755);
    uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    put(uploads, 'open.txt', 'readable');
    chmodSync(put(uploads, 'secret.txt', 'not for this server'), 0o000);
    put(uploads, 'locked/inside.txt', 'behind a folder');
    giveToUnprivileged(uploads);
    chmodSync(path.join(uploads, 'locked'), 0o000);
    const started = startUnprivilegedRouter({ uploads });
    child = started.child;
    url = await started.url;
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    chmodSync(path.join(uploads, 'locked'), 0o755);
    temp.cleanup();
  });

  it('a file of mode 000: 403 FILE_UNREADABLE naming it', async () => {
    const res = await get(`${url}/files/download?path=uploads/secret.txt`);
    expect([res.status, res.body.error?.code]).toEqual([403, 'FILE_UNREADABLE']);
    expect(res.body.error?.message).toContain('uploads/secret.txt');
  });

  it('a file in a folder the server may not enter: 403 FILE_UNREADABLE', async () => {
    const res = await get(`${url}/files/download?path=uploads/locked/inside.txt`);
    expect([res.status, res.body.error?.code]).toEqual([403, 'FILE_UNREADABLE']);
  });

  it('a file gone between the listing and the download: 404 NOT_FOUND', async () => {
    // A folder the server may not enter, or a file it may not read, makes the whole listing 403 FILE_UNREADABLE: open them first.
    chmodSync(path.join(uploads, 'locked'), 0o755);
    chmodSync(path.join(uploads, 'secret.txt'), 0o644); // a file it may not read refuses the listing too
    const listing = await fetch(`${url}/files/checksums?path=uploads`, { headers: AUTH });
    const files = ((await listing.json()) as { files: { path: string }[] }).files.map((file) => file.path);
    expect(files).toContain('open.txt');
    rmSync(path.join(uploads, 'open.txt'));
    const res = await get(`${url}/files/download?path=uploads/open.txt`);
    expect([res.status, res.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});
