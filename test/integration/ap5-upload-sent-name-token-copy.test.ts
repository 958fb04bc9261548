import request from 'supertest';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A refusal's `{ error: { code, message } }`. */
type Refusal = { error: { code: string; message: string } };

/**
 * An upload whose part sends the file name `.sync-token` or a copy of it (`.sync-token.bak`) was refused
 * (403 DB_FILE_REFUSED) with the message "\".sync-token.bak\" is an SQLite database file name; databases sync
 * as data": the file filter tested the quoted name it shows, `".sync-token.bak"`, for a token file, and a
 * quote is no part of one. The message now says what the name is, as it does for a path naming one.
 */
describe('an upload sending a token file name as its file name', () => {
  let files: FilesServer;
  beforeEach(async () => {
    files = await startFilesServer({ 'notes/keep.txt': 'kept\n' });
  });
  afterEach(async () => {
    await files.close();
  });

  it.each([
    ['.sync-token.bak', 'is named as a copy of .sync-token'],
    ['.sync-token~', 'is named as a copy of .sync-token'],
    ['.SYNC-TOKEN', 'is named .sync-token, the file a sync token is kept in'],
  ])('file name %j is refused as what it is, not as a database, and nothing is written', async (filename, said) => {
    const before = treeDigest(files.uploads);
    const { body, contentType } = multipart([{ name: 'file', filename, content: 'attacker-chosen-token-0123456789\n' }]);
    const answer = await request(files.server.url).post('/api/sync/files/upload?path=uploads/notes/new.txt').set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.code).toBe('DB_FILE_REFUSED');
    expect((answer.body as Refusal).error.message).toContain(said);
    expect((answer.body as Refusal).error.message).not.toContain('SQLite database');
    expect((answer.body as Refusal).error.message).toContain(JSON.stringify(filename));
    expect(treeDigest(files.uploads)).toBe(before);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
  });

  it('a database file name sent is still refused as one', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: 'app.db', content: 'x' }]);
    const answer = await request(files.server.url).post('/api/sync/files/upload?path=uploads/notes/new.txt').set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(403);
    expect((answer.body as Refusal).error.message).toMatch(/^"app\.db" is an SQLite database file name; /);
  });
});
