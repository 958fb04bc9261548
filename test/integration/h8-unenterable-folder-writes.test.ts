import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { put, tempFilesUnder } from '../helpers/file-roots';
import { CAN_RUN_UNPRIVILEGED, giveToUnprivileged, startUnprivilegedRouter, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface Answer {
  readonly status: number;
  readonly error: { code: string; message: string } | undefined;
}

async function send(url: string, method: string, form?: { body: Buffer; contentType: string }): Promise<Answer> {
  const res = await fetch(url, { method, headers: form === undefined ? AUTH : { ...AUTH, 'Content-Type': form.contentType }, body: form?.body });
  return { status: res.status, error: ((await res.json()) as { error?: Answer['error'] }).error };
}

/**
 * A multipart body of one file, as one buffer: fetch sends it with the head,
 * so the whole request is there before the server can answer. A FormData body
 * is streamed part by part, and on a loaded machine the server's early 507
 * (answered once the part's file name is read) and its close could come
 * while fetch was still writing: 'fetch failed' (write EPIPE), seen once in a
 * full run, instead of the answer the test checks.
 */
function fileForm(name: string): { body: Buffer; contentType: string } {
  return multipart([{ name: 'file', filename: name, content: 'new bytes' }]);
}

/**
 * An upload into a folder the server may not enter (mode 000, another
 * user's) was 403 FILE_UNREADABLE, "cannot be read by this server", where a
 * read-only folder is 507 STORAGE_NOT_WRITABLE: the same fix (give the
 * server's user the rights) under two codes, and a peer's round stayed `ok`
 * with the one. A write (upload, deletion) the server's disk refuses is now
 * 507 STORAGE_NOT_WRITABLE wherever the refusal comes from; a read
 * (download, checksums) stays 403 FILE_UNREADABLE. A database name is 403
 * DB_FILE_REFUSED there too. The server runs as nobody (the tests run as root).
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('a write into a folder the server cannot enter: 507 STORAGE_NOT_WRITABLE', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let uploads: string;
  let url: string;
  const locked: string[] = [];

  beforeEach(async () => {
    temp = tempDir('ess-h8-unenterable-');
    chmodSync(temp.dir, 0o755);
    uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    put(uploads, 'locked/inside.txt', 'behind a folder');
    giveToUnprivileged(uploads, path.join(uploads, 'locked'));
    const started = startUnprivilegedRouter({ uploads });
    child = started.child;
    url = await started.url;
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    for (const dir of locked.splice(0)) chmodSync(dir, 0o755);
    temp.cleanup();
  });

  function lock(dir: string): void {
    chmodSync(dir, 0o000);
    locked.push(dir);
  }

  it.each(['uploads/locked/new.txt', 'uploads/locked/deeper/new.txt'])('an upload to %s is 507 naming the path and the fix; nothing written', async (target) => {
    lock(path.join(uploads, 'locked'));
    const res = await send(`${url}/files/upload?path=${target}`, 'POST', fileForm('new.txt'));
    expect([res.status, res.error?.code]).toEqual([507, 'STORAGE_NOT_WRITABLE']);
    expect(res.error?.message).toContain(`${target} cannot be written`);
    expect(res.error?.message).toMatch(/may not change it \(EACCES: a read-only disk, or a folder or file of another user\)/);
    expect(res.error?.message).not.toContain(temp.dir);
    chmodSync(path.join(uploads, 'locked'), 0o755);
    expect(readdirSync(path.join(uploads, 'locked'))).toEqual(['inside.txt']);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('an upload by file name into a root folder the server cannot enter is 507 too', async () => {
    lock(uploads);
    const byName = await send(`${url}/files/upload`, 'POST', fileForm('photo.jpg'));
    expect([byName.status, byName.error?.code]).toEqual([507, 'STORAGE_NOT_WRITABLE']);
    expect(byName.error?.message).toContain('uploads/photo.jpg cannot be written');
    const byPath = await send(`${url}/files/upload?path=uploads/notes.txt`, 'POST', fileForm('notes.txt'));
    expect([byPath.status, byPath.error?.code]).toEqual([507, 'STORAGE_NOT_WRITABLE']);
  });

  it('a deletion in it is 507 STORAGE_NOT_WRITABLE and the file stays', async () => {
    lock(path.join(uploads, 'locked'));
    const res = await send(`${url}/files?path=uploads/locked/inside.txt`, 'DELETE');
    expect([res.status, res.error?.code]).toEqual([507, 'STORAGE_NOT_WRITABLE']);
    expect(res.error?.message).toContain('uploads/locked/inside.txt cannot be deleted');
    chmodSync(path.join(uploads, 'locked'), 0o755);
    expect(readFileSync(path.join(uploads, 'locked', 'inside.txt'), 'utf8')).toBe('behind a folder');
  });

  it('a read stays 403 FILE_UNREADABLE; a database name there is 403 DB_FILE_REFUSED on every route', async () => {
    lock(path.join(uploads, 'locked'));
    const download = await send(`${url}/files/download?path=uploads/locked/inside.txt`, 'GET');
    expect([download.status, download.error?.code]).toEqual([403, 'FILE_UNREADABLE']);
    const answers = [
      await send(`${url}/files/upload?path=uploads/locked/app.db`, 'POST', fileForm('a.txt')),
      await send(`${url}/files/upload?path=uploads/locked/store.\u017fqlite`, 'POST', fileForm('a.txt')),
      await send(`${url}/files/download?path=uploads/locked/app.db`, 'GET'),
      await send(`${url}/files?path=uploads/locked/app.db-wal`, 'DELETE'),
    ];
    for (const res of answers) expect([res.status, res.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
  });
});
