import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A client that knows HTTP sends its precondition as the standard headers
 * (`If-Match: "<ETag>"`, `If-None-Match: *`, RFC 9110 13.1), the ETag being
 * the file's SHA-256 as the download answers it. The upload and the deletion
 * must never act on a condition they did not check: a condition they take
 * (one strong ETag, `If-None-Match: *` on upload) is checked as `if_match`
 * is; any other form is 400 BAD_PRECONDITION, nothing done.
 */
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const CURRENT = 'the version another server changed';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const STALE = sha256('what I read before');

describe('HTTP conditional headers on the file writes', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;

  beforeEach(async () => {
    temp = tempDir('ess-h1-conditional-');
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    put(uploads, 'event.json', CURRENT);
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  function upload(headers: Record<string, string>, query = ''): Promise<request.Response> {
    const { body, contentType } = multipart([{ name: 'file', filename: 'event.json', content: 'my edit' }]);
    return request(server.url).post(`/api/sync/files/upload?path=uploads/event.json${query}`).set(AUTH).set(headers).set('Content-Type', contentType).send(body);
  }

  const codeOf = (response: request.Response): [number, string | undefined] => [response.status, (response.body as { error?: { code?: string } }).error?.code];

  it.each([
    ['If-Match with a stale ETag', { 'If-Match': `"${STALE}"` }, 412, 'PRECONDITION_FAILED'],
    ['If-None-Match: * over an existing file', { 'If-None-Match': '*' }, 412, 'PRECONDITION_FAILED'],
    ['If-Match: * (not taken)', { 'If-Match': '*' }, 400, 'BAD_PRECONDITION'],
    ['If-Match with a list of ETags (not taken)', { 'If-Match': `"${STALE}", "${sha256(CURRENT)}"` }, 400, 'BAD_PRECONDITION'],
    ['If-Match with a weak ETag', { 'If-Match': `W/"${sha256(CURRENT)}"` }, 400, 'BAD_PRECONDITION'],
    ['If-Match that is no ETag', { 'If-Match': sha256(CURRENT) }, 400, 'BAD_PRECONDITION'],
    ['If-None-Match with an ETag (not taken)', { 'If-None-Match': `"${STALE}"` }, 400, 'BAD_PRECONDITION'],
    ['If-Unmodified-Since (a date: not taken)', { 'If-Unmodified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT' }, 400, 'BAD_PRECONDITION'],
  ])('upload with %s: refused, the file untouched, no temp file', async (_label, headers, status, code) => {
    const before = treeDigest(uploads);
    expect(codeOf(await upload(headers))).toEqual([status, code]);
    expect(readFileSync(path.join(uploads, 'event.json'), 'utf8')).toBe(CURRENT);
    expect(treeDigest(uploads)).toBe(before);
    expect(tempFilesUnder(uploads)).toEqual([]);
  });

  it('upload with If-Match naming the current ETag replaces the file', async () => {
    const response = await upload({ 'If-Match': `"${sha256(CURRENT)}"` });
    expect(response.status).toBe(200);
    expect(readFileSync(path.join(uploads, 'event.json'), 'utf8')).toBe('my edit');
  });

  it('upload with If-None-Match: * creates a file that is not there', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: 'new.json', content: '{}' }]);
    const response = await request(server.url).post('/api/sync/files/upload?path=uploads/new.json').set(AUTH).set('If-None-Match', '*').set('Content-Type', contentType).send(body);
    expect(response.status).toBe(201);
  });

  it('upload with If-Match and an if_match that differ: 400, nothing written', async () => {
    const response = await upload({ 'If-Match': `"${sha256(CURRENT)}"` }, `&if_match=${STALE}`);
    expect(codeOf(response)).toEqual([400, 'BAD_PRECONDITION']);
    expect(readFileSync(path.join(uploads, 'event.json'), 'utf8')).toBe(CURRENT);
  });

  it.each([
    ['If-Match with a stale ETag', { 'If-Match': `"${STALE}"` }, 412, 'PRECONDITION_FAILED'],
    ['If-Match: *', { 'If-Match': '*' }, 400, 'BAD_PRECONDITION'],
    ['If-Unmodified-Since', { 'If-Unmodified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT' }, 400, 'BAD_PRECONDITION'],
  ])('DELETE with %s: refused, nothing deleted', async (_label, headers, status, code) => {
    const response = await request(server.url).delete('/api/sync/files?path=uploads/event.json').set(AUTH).set(headers);
    expect(codeOf(response)).toEqual([status, code]);
    expect(existsSync(path.join(uploads, 'event.json'))).toBe(true);
  });

  it('DELETE with If-Match naming the current ETag deletes the file', async () => {
    await request(server.url).delete('/api/sync/files?path=uploads/event.json').set(AUTH).set('If-Match', `"${sha256(CURRENT)}"`).expect(200);
    expect(existsSync(path.join(uploads, 'event.json'))).toBe(false);
  });
});
