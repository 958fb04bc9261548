import path from 'node:path';
import request from 'supertest';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { SQLITE_BYTES, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * An upload whose bytes are an SQLite database is refused (403 `DB_CONTENT_REFUSED`) once its first
 * bytes are sniffed. The refusal named only the multipart `filename` (`"x.bin" is an SQLite database…`),
 * not the `?path=` the file would have been written to, and named it whole (16 KiB of name, echoed).
 * It now names the target path and, when it differs from the path's last name, the name sent, each cut
 * after 300 characters as a refusal keeps a path.
 */
describe('an upload of SQLite database bytes', () => {
  let files: FilesServer;
  beforeEach(async () => {
    files = await startFilesServer({});
  });
  afterEach(async () => {
    await files.close();
  });

  async function upload(query: string, filename: string): Promise<{ code: string; message: string }> {
    const before = treeDigest(files.uploads);
    const { body, contentType } = multipart([{ name: 'file', filename, content: SQLITE_BYTES }]);
    const answer = await request(files.server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect(treeDigest(files.uploads)).toBe(before);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
    return (answer.body as { error: { code: string; message: string } }).error;
  }

  it('names the ?path= target, and the file name sent when it differs', async () => {
    const error = await upload('?path=uploads/scouting/notes.bin', 'backup-copy.bin');
    expect(error.code).toBe('DB_CONTENT_REFUSED');
    expect(error.message).toContain('uploads/scouting/notes.bin');
    expect(error.message).toContain('(sent as "backup-copy.bin")');
  });

  it('names the target once when the name sent is its last name', async () => {
    const error = await upload('?path=uploads/notes.bin', 'notes.bin');
    expect(error.message).toMatch(/^the file uploaded to uploads\/notes\.bin is an SQLite database by its content/);
    expect(error.message).not.toContain('sent as');
  });

  it('names the target made of the file name without ?path=', async () => {
    const error = await upload('', 'photo.jpg');
    expect(error.message).toContain('uploads/photo.jpg');
    expect(error.message).not.toContain('sent as');
  });

  it('cuts a long target and a long name sent after 300 characters', async () => {
    const folders = path.posix.join(...Array.from({ length: 4 }, (_, i) => `${String(i)}${'d'.repeat(150)}`));
    const error = await upload(`?path=uploads/${folders}/notes.bin`, `${'n'.repeat(5000)}.bin`);
    expect(error.code).toBe('DB_CONTENT_REFUSED');
    expect(error.message).toContain(`uploads/0${'d'.repeat(150)}`);
    expect(error.message).toContain('…');
    expect(error.message.length).toBeLessThan(1000);
  });
});

describe('an upload whose file name is a database name', () => {
  let files: FilesServer;
  beforeEach(async () => {
    files = await startFilesServer({});
  });
  afterEach(async () => {
    await files.close();
  });

  it('is refused naming the name sent, cut after 300 characters (it was echoed whole)', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: `${'n'.repeat(5000)}.db`, content: 'not a database' }]);
    const answer = await request(files.server.url).post('/api/sync/files/upload?path=uploads/notes.txt').set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    const error = (answer.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('DB_FILE_REFUSED');
    expect(error.message).toMatch(/^"n{300}…" is an SQLite database file name/);
    expect(error.message.length).toBeLessThan(1000);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
  });
});
