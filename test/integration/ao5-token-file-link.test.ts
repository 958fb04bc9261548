import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { readSampleConfig } from '../../sample-app/config';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A refusal's `{ error: { code, message } }`. */
type Refusal = { error: { code: string; message: string } };

/**
 * A symbolic link inside a sync root that leads to a `.sync-token` (a sample app's DATA_DIR placed in that
 * root) is refused as the file is: never listed, 403 `DB_FILE_REFUSED` to a download. Its message named the
 * token file "an SQLite database file name", sending the operator to look for a database.
 */
describe('a symbolic link to a .sync-token inside a sync root', () => {
  let files: FilesServer;
  let token: string;
  beforeEach(async () => {
    files = await startFilesServer({ 'event-b/notes.txt': 'notes' });
    readSampleConfig({ DATA_DIR: path.join(files.uploads, 'event-b'), PORT: '0' });
    token = readFileSync(path.join(files.uploads, 'event-b', '.sync-token'), 'utf8').trim();
    symlinkSync(path.join('event-b', '.sync-token'), path.join(files.uploads, 'token.txt'));
  });
  afterEach(async () => {
    await files.close();
  });

  it('is left out of the manifest', async () => {
    const answer = await request(files.server.url).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    const listed = (answer.body as { files: Array<{ path: string }> }).files.map((file) => file.path);
    expect(listed).toEqual(['event-b/notes.txt']);
  });

  it('a download through it is refused with 403 DB_FILE_REFUSED, its message naming the sync token file, no byte of the token sent', async () => {
    const answer = await request(files.server.url).get('/api/sync/files/download?path=uploads/token.txt').set(AUTH);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toBe(
      'uploads/token.txt leads through a symbolic link to uploads/event-b/.sync-token, the file a sync token is kept in; it never syncs (a server\'s secret is not served, listed or replaced)',
    );
    expect(JSON.stringify(answer.body)).not.toContain(token);
  });

  it('an upload through it is refused with 403 DB_FILE_REFUSED, the token file left as it was', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: 'x.txt', content: 'attacker-chosen-token-0123456789\n' }]);
    const answer = await request(files.server.url).post('/api/sync/files/upload?path=uploads/token.txt').set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toMatch(/leads through a symbolic link to uploads\/event-b\/\.sync-token, the file a sync token is kept in/);
    expect(readFileSync(path.join(files.uploads, 'event-b', '.sync-token'), 'utf8').trim()).toBe(token);
  });
});
