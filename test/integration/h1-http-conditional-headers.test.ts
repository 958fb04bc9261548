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

/**
 * A download asked with `If-Match` (RFC 9110 13.1.1: an origin server MUST evaluate it) was served whatever the
 * tag: `If-Match: "<the sha256 I hold>"` with `Range: bytes=<what I have>-` got 206 with the rest of *another*
 * version, spliced onto the part the client kept. It is evaluated now, before `If-None-Match` and `Range`
 * (RFC 9110 13.2.2): `*`, or a list naming the file's ETag, compared strongly, passes; anything else is 412
 * `PRECONDITION_FAILED` and no byte is sent. `If-Unmodified-Since` is refused as the writes refuse it (400
 * `BAD_PRECONDITION`): a date does not tell two versions of one second apart.
 */
describe('HTTP conditional headers on the file download', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir('ess-aj5-download-conditional-');
    const roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.uploads ?? '', 'event.json', CURRENT);
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  const download = (headers: Record<string, string>, method: 'get' | 'head' = 'get'): Promise<request.Response> =>
    request(server.url)[method]('/api/sync/files/download?path=uploads/event.json').set(AUTH).set(headers).buffer(true);

  it.each([
    ['a stale ETag', { 'If-Match': `"${STALE}"` }],
    ['a stale ETag and a Range (the rest of another version)', { 'If-Match': `"${STALE}"`, Range: 'bytes=4-' }],
    ['a list of stale ETags', { 'If-Match': `"${STALE}", "${sha256('another')}"` }],
    ["a weak tag of the file's ETag (compared strongly)", { 'If-Match': `W/"${sha256(CURRENT)}"` }],
    ['an ETag without quotes', { 'If-Match': sha256(CURRENT) }],
  ])('GET with If-Match holding %s: 412 PRECONDITION_FAILED, no byte of the file sent', async (_label, headers) => {
    const response = await download(headers);
    expect([response.status, (response.body as { error?: { code?: string } }).error?.code]).toEqual([412, 'PRECONDITION_FAILED']);
    expect(response.text).not.toContain(CURRENT.slice(4));
  });

  // The file did not change: its ETag was sent in a form If-Match never matches. The 412 said
  // "changed meanwhile: it has sha256 <the very hash sent>", and a client refetched for nothing.
  it.each([
    ['weak', `W/"${sha256(CURRENT)}"`, 'as a weak tag (W/"…")'],
    ['unquoted', sha256(CURRENT), 'without its quotes'],
  ])("GET with If-Match holding the file's own ETag %s: the 412 says the form is wrong, not that the file changed", async (_label, tag, form) => {
    const message = ((await download({ 'If-Match': tag })).body as { error: { message: string } }).error.message;
    expect(message).toBe(`uploads/event.json: If-Match names its ETag ${form}, which never matches (If-Match compares ETags strongly, RFC 9110): send If-Match: "${sha256(CURRENT)}", as the download answers it; nothing was sent`);
  });

  it('HEAD with a stale If-Match: 412 too', async () => {
    expect((await download({ 'If-Match': `"${STALE}"` }, 'head')).status).toBe(412);
  });

  it.each([
    ["the file's ETag", { 'If-Match': `"${sha256(CURRENT)}"` }, 200, CURRENT],
    ["a list naming the file's ETag", { 'If-Match': `"${STALE}", "${sha256(CURRENT)}"` }, 200, CURRENT],
    ['*', { 'If-Match': '*' }, 200, CURRENT],
    ["the file's ETag and a Range", { 'If-Match': `"${sha256(CURRENT)}"`, Range: 'bytes=4-' }, 206, CURRENT.slice(4)],
  ])('GET with If-Match holding %s: served', async (_label, headers, status, body) => {
    const response = await download(headers);
    expect(response.status).toBe(status);
    expect(Buffer.from(response.body as Buffer).toString('utf8')).toBe(body);
  });

  it('GET with If-Unmodified-Since (a date: not taken): 400 BAD_PRECONDITION, as on the writes', async () => {
    const response = await download({ 'If-Unmodified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT' });
    expect([response.status, (response.body as { error?: { code?: string } }).error?.code]).toEqual([400, 'BAD_PRECONDITION']);
  });
});
