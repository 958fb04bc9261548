import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { put } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { startFilesServer, type FilesServer } from '../helpers/files-server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const ZEROS = '0'.repeat(64);

/** What `DELETE /files` answers when it deletes nothing. */
describe('DELETE /files refusals', () => {
  let fixture: FilesServer;
  let uploads: string;
  let server: TestServer;

  beforeEach(async () => {
    fixture = await startFilesServer({ 'a.txt': 'hello' });
    ({ uploads, server } = fixture);
  });

  afterEach(() => fixture.close());

  it('a failed precondition says nothing was deleted (not "written")', async () => {
    const answer = await request(server.url).delete(`/api/sync/files?path=uploads/a.txt&if_match=${ZEROS}`).set(AUTH);
    expect(answer.status).toBe(412);
    expect(answer.body).toEqual({ error: { code: 'PRECONDITION_FAILED', message: expect.stringMatching(/nothing was deleted$/) } });
    expect(existsSync(path.join(uploads, 'a.txt'))).toBe(true);
  });

  describe('a symlink to a folder is a folder: 409 PATH_CONFLICT whatever if_match says, the link kept', () => {
    it.each([
      ['relative', (): string => 'real'],
      ['absolute', (): string => path.join(uploads, 'real')],
    ])('%s target', async (_kind, target) => {
      put(uploads, 'real/inside.txt', 'inside');
      symlinkSync(target(), path.join(uploads, 'linkdir'));
      for (const query of ['', '&if_match=none', `&if_match=${ZEROS}`]) {
        const answer = await request(server.url).delete(`/api/sync/files?path=uploads/linkdir${query}`).set(AUTH);
        expect(answer.status).toBe(409);
        expect(answer.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringContaining('uploads/linkdir is a folder') } });
      }
      expect(lstatSync(path.join(uploads, 'linkdir')).isSymbolicLink()).toBe(true);
      expect(existsSync(path.join(uploads, 'real/inside.txt'))).toBe(true);
    });

    it('an upload to it is refused too (as upload refuses a folder), never replacing the link', async () => {
      mkdirSync(path.join(uploads, 'real'));
      symlinkSync('real', path.join(uploads, 'linkdir'));
      const { body, contentType } = multipart([{ name: 'file', filename: 'x.txt', content: 'new bytes' }]);
      const answer = await request(server.url).post('/api/sync/files/upload?path=uploads/linkdir').set(AUTH).set('Content-Type', contentType).send(body);
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringContaining('is a folder') } });
      expect(lstatSync(path.join(uploads, 'linkdir')).isSymbolicLink()).toBe(true);
    });

    it('a symlink to a file is still deleted as a file (the link, not its target)', async () => {
      symlinkSync('a.txt', path.join(uploads, 'link.txt'));
      const answer = await request(server.url).delete('/api/sync/files?path=uploads/link.txt').set(AUTH);
      expect(answer.status).toBe(200);
      expect(existsSync(path.join(uploads, 'link.txt'))).toBe(false);
      expect(existsSync(path.join(uploads, 'a.txt'))).toBe(true);
    });
  });
});
