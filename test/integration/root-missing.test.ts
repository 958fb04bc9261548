import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveSyncPath } from '../../lib/files/safe-path';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { startPeers } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A sync root's folder removed or renamed on a running server is the server's
 * state, not a client's bad path: 409 ROOT_MISSING naming the folder and the
 * fix, never "a symlink on the path is dangling". A missing folder inside a
 * root that is there stays the ordinary 404 NOT_FOUND.
 */
describe('a sync root whose folder is missing', () => {
  let temp: ReturnType<typeof tempDir>;
  let uploads: string;
  let roots: ReadonlyMap<string, string>;

  beforeEach(() => {
    temp = tempDir();
    uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    roots = resolveSyncRoots({ uploads });
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['removed', () => rmSync(uploads, { recursive: true })],
    ['renamed', () => renameSync(uploads, `${uploads}-renamed`)],
    ['a symlink to nothing', () => {
      rmSync(uploads, { recursive: true });
      symlinkSync(path.join(temp.dir, 'nowhere'), uploads);
    }],
  ])('%s: every path in it is ROOT_MISSING (409), naming the folder and the fix', async (_label, breakRoot) => {
    breakRoot();
    for (const [input, needsFile] of [['uploads', false], ['uploads/pit/a.jpg', true], ['uploads/a.jpg', true]] as const) {
      const refusal = resolveSyncPath(roots, input, needsFile);
      await expect(refusal).rejects.toMatchObject({ code: 'ROOT_MISSING', status: 409 });
      await expect(refusal).rejects.toThrow(`sync root uploads (${uploads}) is missing on this server: create the folder`);
    }
  });

  it('a file where the folder should be is ROOT_MISSING too, saying so', async () => {
    rmSync(uploads, { recursive: true });
    writeFileSync(uploads, 'not a folder');
    for (const [input, needsFile] of [['uploads', false], ['uploads/pit/a.jpg', true]] as const) {
      await expect(resolveSyncPath(roots, input, needsFile)).rejects.toMatchObject({ code: 'ROOT_MISSING', status: 409, message: expect.stringContaining('is a file on this server, not a folder') });
    }
  });

  it('a dangling symlink inside a root that is there is still BAD_PATH', async () => {
    symlinkSync(path.join(temp.dir, 'nowhere'), path.join(uploads, 'dangling.txt'));
    await expect(resolveSyncPath(roots, 'uploads/dangling.txt', true)).rejects.toMatchObject({ code: 'BAD_PATH', status: 400 });
  });
});

describe('a running server whose sync root folder is removed', () => {
  it('answers 409 ROOT_MISSING; its peer reports it, and its own status names the folder once, without "ENOENT: ENOENT"', async () => {
    const { peers, close } = await startPeers(2, 'chain');
    try {
      const [a, b] = [peers[0]!, peers[1]!];
      const ask = async (query: string): Promise<{ status: number; body: { error: { code: string; message: string } } }> => {
        const answer = await fetch(`${b.syncUrl}/files/checksums?path=${query}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
        return { status: answer.status, body: (await answer.json()) as { error: { code: string; message: string } } };
      };
      // A folder missing inside a root that is there: the ordinary not-found answer.
      expect(await ask('uploads/no/such/folder')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

      const bUploads = path.join(b.dataDir, 'uploads');
      rmSync(bUploads, { recursive: true });
      const missing = await ask('uploads');
      expect(missing.status).toBe(409);
      expect(missing.body.error.code).toBe('ROOT_MISSING');
      expect(missing.body.error.message).toContain(`sync root uploads (${bUploads}) is missing on this server: create the folder`);
      expect(await ask('uploads/pit')).toMatchObject({ status: 409, body: { error: { code: 'ROOT_MISSING' } } });

      const [fromA] = await a.sync.client!.syncAll();
      expect(fromA!.fileErrors).toEqual([expect.objectContaining({ path: 'uploads', code: 'ROOT_MISSING', message: expect.stringContaining('create the folder') })]);

      await b.sync.client!.syncAll();
      const [status] = b.sync.client!.peerStatuses();
      expect(status!.lastErrorCode).toBe('ENOENT');
      expect(status!.lastError).not.toMatch(/ENOENT: .*ENOENT/);
      expect(status!.lastError).toContain(`${bUploads} does not exist on this server; if it is a sync root's folder, create it`);
    } finally {
      await close();
    }
  }, 30_000);
});

describe('the fix a missing root names', () => {
  it('quotes a folder with spaces for the shell, so the command copied makes that folder', async () => {
    const temp = tempDir();
    try {
      const folder = path.join(temp.dir, "pit crew's photos");
      mkdirSync(folder);
      const roots = resolveSyncRoots({ photos: folder });
      rmSync(folder, { recursive: true });
      await expect(resolveSyncPath(roots, 'photos/a.jpg', true)).rejects.toThrow(`(mkdir -p '${temp.dir}/pit crew'\\''s photos')`);
    } finally {
      temp.cleanup();
    }
  });
});
