import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { startFilesServer, type FilesServer } from '../helpers/files-server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const ZEROS = '0'.repeat(64);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The file routes read their query as sent: a misspelled or malformed
 * parameter, or a path whose bytes are not UTF-8, is refused and never
 * dropped (with the precondition it carried).
 */
describe('file routes: strict queries', () => {
  let fixture: FilesServer;
  let uploads: string;
  let server: TestServer;

  beforeEach(async () => {
    fixture = await startFilesServer({ 'a.txt': 'hello' });
    ({ uploads, server } = fixture);
  });

  afterEach(() => fixture.close());

  async function upload(query: string, filename = 'note.txt'): Promise<request.Response> {
    const { body, contentType } = multipart([{ name: 'file', filename, content: 'new bytes' }]);
    return request(server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
  }

  describe('an unknown or malformed query parameter is 400 naming it, and nothing is done', () => {
    it('DELETE with if-match (a misspelled if_match) keeps the file', async () => {
      const answer = await request(server.url).delete(`/api/sync/files?path=uploads/a.txt&if-match=${ZEROS}`).set(AUTH);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('"if-match"') } });
      expect(existsSync(path.join(uploads, 'a.txt'))).toBe(true);
    });

    it('upload with if_match[x] is refused, the file unchanged', async () => {
      const answer = await upload(`?path=uploads/a.txt&if_match[x]=${ZEROS}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('"if_match[x]"') } });
      expect(answer.headers.connection).toBe('close');
      expect(readdirSync(uploads).sort()).toEqual(['a.txt']);
    });

    it('upload with path[] is refused, never stored under its multipart file name', async () => {
      const answer = await upload('?path[]=uploads/x.txt', 'fallback.txt');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('"path[]"') } });
      expect(readdirSync(uploads).sort()).toEqual(['a.txt']);
    });

    it('download and checksums refuse an unknown parameter; the documented ones still work', async () => {
      const download = await request(server.url).get('/api/sync/files/download?path=uploads/a.txt&pth=x').set(AUTH);
      expect(download.status).toBe(400);
      expect(download.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('"pth"') } });
      const checksums = await request(server.url).get('/api/sync/files/checksums?path=uploads&recursive=1').set(AUTH);
      expect(checksums.status).toBe(400);
      expect(checksums.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('"recursive"') } });
      expect((await request(server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH)).status).toBe(200);
      expect((await request(server.url).get('/api/sync/files/download?path=uploads/a.txt').set(AUTH)).body).toEqual(Buffer.from('hello'));
      expect((await upload(`?path=uploads/b.txt&sha256=${sha('new bytes')}&if_match=none`)).status).toBe(201);
      expect((await request(server.url).delete(`/api/sync/files?path=uploads/b.txt&if_match=${sha('new bytes')}`).set(AUTH)).status).toBe(200);
    });

    it('a file name with spaces and + (as URLSearchParams encodes it) still round-trips', async () => {
      const query = new URLSearchParams({ path: 'uploads/a b+c.txt', if_match: 'none' }).toString();
      expect((await upload(`?${query}`)).status).toBe(201);
      expect(existsSync(path.join(uploads, 'a b+c.txt'))).toBe(true);
    });
  });

  describe('a path whose percent-decoded bytes are not UTF-8 is 400 BAD_PATH, never U+FFFD', () => {
    it('upload, download and delete', async () => {
      const answers = [
        await upload('?path=uploads/%E0%A4'),
        await request(server.url).get('/api/sync/files/download?path=uploads/%E0%A4').set(AUTH),
        await request(server.url).delete('/api/sync/files?path=uploads/%E0%A4').set(AUTH),
        await request(server.url).get('/api/sync/files/checksums?path=uploads%FF').set(AUTH),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ error: { code: 'BAD_PATH', message: expect.stringContaining('UTF-8') } });
      }
      expect(readdirSync(uploads).sort()).toEqual(['a.txt']);
    });

    it('a literal U+FFFD, percent-encoded as UTF-8, is a name like any other', async () => {
      expect((await upload('?path=uploads/%EF%BF%BD.txt')).status).toBe(201);
      expect(existsSync(path.join(uploads, '\uFFFD.txt'))).toBe(true);
    });
  });
});
