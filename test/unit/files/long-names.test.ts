import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describeStoreError } from '../../../lib/files/atomic-file';
import { releaseTempPath, reserveTempPath, sweepStaleTempFilesOf } from '../../../lib/files/temp-files';
import { SyncError } from '../../../lib/sync-error';
import { makeRoots, tempFilesUnder, treeDigest } from '../../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../../helpers/server';
import { tempDir } from '../../helpers/temp';

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('names near the 255-byte limit', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['ASCII', `${'n'.repeat(250)}.json`],
    ['multi-byte', `${'é'.repeat(125)}.txt`],
  ])('gives a %s name of up to 255 bytes a temp name that fits, the same start each time, found by the sweep of its target', (_kind, name) => {
    const target = path.join(temp.dir, name);
    const writing = reserveTempPath(target);
    expect(Buffer.byteLength(`${path.basename(writing)}-journal`, 'utf8')).toBeLessThanOrEqual(255);
    const stale = path.join(temp.dir, path.basename(writing).replace(`.sync-tmp-${process.pid}-`, `.sync-tmp-${deadPid()}-`));
    for (const file of [writing, stale]) writeFileSync(file, 'partial');
    sweepStaleTempFilesOf(target);
    expect([existsSync(writing), existsSync(stale)]).toEqual([true, false]);
    releaseTempPath(writing);
  });

  it('uploads a file whose name is 230 bytes long (201), leaving no temp file', async () => {
    const roots = makeRoots(path.join(temp.dir, 'data'));
    const name = `${'n'.repeat(225)}.json`;
    const response = await request(makeApp({ roots }))
      .post(`/api/sync/files/upload?path=config/${name}`)
      .set('Authorization', `Bearer ${TEST_TOKEN}`)
      .attach('file', Buffer.from('{}'), 'x.json');
    expect(response.status).toBe(201);
    expect(existsSync(path.join(roots.config ?? '', name))).toBe(true);
    expect(tempFilesUnder(roots.config ?? '')).toEqual([]);
  });

  it('reports a name too long for the file system as BAD_PATH, never as PATH_CONFLICT', () => {
    const error = Object.assign(new Error('ENAMETOOLONG: name too long'), { code: 'ENAMETOOLONG' });
    const described = describeStoreError(error, 'config/x');
    expect(described).toBeInstanceOf(SyncError);
    expect(described).toMatchObject({ code: 'BAD_PATH', status: 400 });
  });

  describe('a client path too long for the file system (over PATH_MAX once joined to its root)', () => {
    const han = '\u6c49'.repeat(80); // 240 bytes of UTF-8
    const relative = Array.from({ length: 12 }, () => han).join('/');
    let uploads: string;
    beforeEach(() => {
      uploads = path.join(temp.dir, ...Array.from({ length: 6 }, () => 'L'.repeat(200)), 'uploads');
      mkdirSync(uploads, { recursive: true });
    });

    it.each([
      ['none of its folders exists', 0],
      ['its first folders exist', 3],
    ])('is refused as 400 BAD_PATH "too long … use shorter names" by every file route when %s', async (_case, existing) => {
      if (existing > 0) mkdirSync(path.join(uploads, ...relative.split('/').slice(0, existing)), { recursive: true });
      const before = treeDigest(uploads);
      const app = makeApp({ roots: { uploads } });
      const query = `path=${encodeURIComponent(`uploads/${relative}`)}`;
      const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
      const answers = [
        await request(app).get(`/api/sync/files/download?${query}`).set(auth),
        await request(app).delete(`/api/sync/files?${query}`).set(auth),
        await request(app).get(`/api/sync/files/checksums?${query}`).set(auth),
        await request(app).post(`/api/sync/files/upload?${query}`).set(auth).attach('file', Buffer.from('x'), 'x.txt'),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ error: { code: 'BAD_PATH', message: expect.stringMatching(/is too long for this server's file system; use shorter names$/) as string } });
      }
      expect(treeDigest(uploads)).toBe(before);
    });

    it('an upload whose target fits PATH_MAX but whose temp file beside it does not: 400 BAD_PATH, and the folders it made are removed', async () => {
      const targetBytes = 4085; // PATH_MAX is 4096 with its NUL; the temp name adds more than 11 bytes
      const segments: string[] = [];
      let left = targetBytes - Buffer.byteLength(uploads) - 1;
      while (left > 255) {
        segments.push(han);
        left -= 241;
      }
      segments.push(`${'\u6c49'.repeat(Math.floor(left / 3))}${'n'.repeat(left % 3)}`); // few characters, as the client path has at most 1024
      expect(Buffer.byteLength(path.join(uploads, ...segments))).toBe(targetBytes);
      const answer = await request(makeApp({ roots: { uploads } }))
        .post(`/api/sync/files/upload?path=${encodeURIComponent(`uploads/${segments.join('/')}`)}`)
        .set('Authorization', `Bearer ${TEST_TOKEN}`)
        .attach('file', Buffer.from('x'), 'x.txt');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'BAD_PATH', message: expect.stringMatching(/is too long for this server's file system; use shorter names$/) as string } });
      expect(readdirSync(uploads)).toEqual([]);
    });
  });
});
