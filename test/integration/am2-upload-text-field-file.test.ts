import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startFilesServer, type FilesServer } from '../helpers/files-server';
import { tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart, type Part } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * A multipart upload with a text field named `file` (a part without `filename=`), before or after the
 * file part: multer keeps it as a field, and the route refused it as `unknown multipart field "file":
 * this route takes the fields file, sha256, if_match` — naming as unknown the one field it asks for.
 * It now says that `file` must be the file part, a text field of that name is no file; with no file
 * part at all, the `NO_FILE` answer says the same. Nothing is written, no temp file is left.
 */
describe('POST /files/upload with a text field named file', () => {
  let files: FilesServer;
  beforeEach(async () => {
    files = await startFilesServer({ 'event.json': 'kept' });
  });
  afterEach(async () => {
    await files.close();
  });

  const text: Part = { name: 'file', content: 'not a file' };
  const file: Part = { name: 'file', filename: 'event.json', content: 'new bytes' };

  it.each([
    ['before the file part', 'BAD_REQUEST', [text, file]],
    ['after the file part', 'BAD_REQUEST', [file, text]],
    ['and no file part', 'NO_FILE', [text]],
  ] as const)('%s: 400 %s saying file must be the file part, nothing written', async (_when, code, parts) => {
    const before = treeDigest(files.uploads);
    const { body, contentType } = multipart(parts);
    const answer = await request(files.server.url).post('/api/sync/files/upload?path=uploads/event.json').set(AUTH).set('Content-Type', contentType).send(body);
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/"file" .*text field.*must be the file part/);
    expect(error.message).not.toMatch(/unknown/);
    expect(readFileSync(path.join(files.uploads, 'event.json'), 'utf8')).toBe('kept');
    expect(treeDigest(files.uploads)).toBe(before);
    expect(tempFilesUnder(files.uploads)).toEqual([]);
  });
});
