import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart, type Part } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * The upload route takes the multipart fields `file`, `sha256` and `if_match`.
 * A field it does not take (`if-match`, as the HTTP header is spelled, or
 * `sha-256`) must be refused, as the query's misspellings are: ignoring it
 * drops the client's precondition or digest, and the file is overwritten.
 */
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('POST /files/upload with a multipart field it does not take', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    put(uploads, 'event.json', 'the version another server changed');
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  async function send(parts: readonly Part[]): Promise<request.Response> {
    const { body, contentType } = multipart(parts);
    return request(server.url).post('/api/sync/files/upload?path=uploads/event.json').set(AUTH).set('Content-Type', contentType).send(body);
  }

  const file: Part = { name: 'file', filename: 'event.json', content: 'my stale edit' };
  const staleBase = sha256('what I read before');

  it.each([
    ['if-match before the file', [{ name: 'if-match', content: staleBase }, file], 'if-match'],
    ['if-match after the file', [file, { name: 'if-match', content: staleBase }], 'if-match'],
    ['ifMatch', [{ name: 'ifMatch', content: staleBase }, file], 'ifMatch'],
    ['IF_MATCH', [{ name: 'IF_MATCH', content: staleBase }, file], 'IF_MATCH'],
    ['sha-256 with a wrong digest', [{ name: 'sha-256', content: sha256('other bytes') }, file], 'sha-256'],
  ])('%s: 400 BAD_REQUEST naming it, nothing written, no temp file', async (_label, parts, name) => {
    const before = treeDigest(uploads);
    const response = await send(parts);
    expect(response.status).toBe(400);
    const error = (response.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(JSON.stringify(name));
    expect(readFileSync(path.join(uploads, 'event.json'), 'utf8')).toBe('the version another server changed');
    expect(treeDigest(uploads)).toBe(before);
    expect(tempFilesUnder(uploads)).toEqual([]);
  });

  it('a `path` sent as a field, not in the query: 400 naming it, not stored under the file name in the upload root', async () => {
    const before = treeDigest(uploads);
    const { body, contentType } = multipart([{ name: 'path', content: 'config/settings.json' }, { name: 'file', filename: 'settings.json', content: '{}' }]);
    const response = await request(server.url).post('/api/sync/files/upload').set(AUTH).set('Content-Type', contentType).send(body);
    expect(response.status).toBe(400);
    expect((response.body as { error: { code: string; message: string } }).error.message).toContain('"path"');
    expect(treeDigest(uploads)).toBe(before);
    expect(tempFilesUnder(uploads)).toEqual([]);
  });

  it('still takes the fields it knows: sha256 and if_match, before or after the file', async () => {
    const response = await send([{ name: 'if_match', content: sha256('the version another server changed') }, file, { name: 'sha256', content: sha256('my stale edit') }]);
    expect(response.status).toBe(200);
    expect(readFileSync(path.join(uploads, 'event.json'), 'utf8')).toBe('my stale edit');
  });
});
