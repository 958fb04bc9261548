import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { JOURNAL_BYTES, makeRoots, put, SQLITE_BYTES, tempFilesUnder, treeDigest, WAL_BYTES } from '../helpers/file-roots';
import { multipart, rawRequest, repeat, type Part } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const MAX_UPLOAD = 64 * 1024;

interface Answer {
  readonly status: number | undefined;
  readonly body: unknown;
}

type Send = (server: TestServer) => Promise<Answer>;

function upload(query: string, parts: readonly Part[], headers: Record<string, string> = AUTH): Send {
  return async (server) => {
    const { body, contentType } = multipart(parts);
    const response = await request(server.url)
      .post(`/api/sync/files/upload${query}`)
      .set(headers)
      .set('Content-Type', contentType)
      .send(body);
    return { status: response.status, body: response.body as unknown };
  };
}

const file = (filename: string, content: string | Buffer = 'new content'): Part => ({ name: 'file', filename, content });

function get(endpoint: string, headers: Record<string, string> = AUTH): Send {
  return async (server) => {
    const response = await request(server.url).get(`/api/sync/files/${endpoint}`).set(headers);
    return { status: response.status, body: response.body as unknown };
  };
}

function del(pathQuery: string, headers: Record<string, string> = AUTH): Send {
  return async (server) => {
    const response = await request(server.url).delete(`/api/sync/files?path=${pathQuery}`).set(headers);
    return { status: response.status, body: response.body as unknown };
  };
}

function rawUpload(headers: Record<string, string>, chunks: Iterable<Buffer>, abortAfterBytes?: number): Send {
  return (server) => rawRequest(`${server.url}/api/sync/files/upload?path=uploads/existing.txt`, { headers: { ...AUTH, ...headers }, chunks, abortAfterBytes });
}

/** An upload whose `Content-Length` declares `declared` bytes (far over the limit) but sends only a file part's head and a little of it. */
function declaredHuge(query: string, filename: string, declared = 1024 * 1024 * 1024): Send {
  const head = Buffer.from(`--b\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n`);
  return (server) =>
    rawRequest(`${server.url}/api/sync/files/upload${query}`, {
      headers: { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(declared) },
      chunks: [head, ...repeat(Buffer.alloc(16 * 1024, 97), 16)],
    });
}

/** A body that starts with a long multipart preamble (ignored by parsers), then one small file part. */
function* preambleThenFile(preambleBytes: number): Iterable<Buffer> {
  yield* repeat(Buffer.alloc(16 * 1024, 0x70), Math.ceil(preambleBytes / (16 * 1024)));
  yield Buffer.from('\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="existing.txt"\r\n\r\nsmall\r\n--b--\r\n');
}

/** A multipart body for uploads/existing.txt whose file part never ends (no closing boundary). */
function* unfinishedBody(fileBytes: number): Iterable<Buffer> {
  yield Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="existing.txt"\r\n\r\n');
  yield* repeat(Buffer.alloc(16 * 1024, 97), Math.ceil(fileBytes / (16 * 1024)));
}

const CASES: ReadonlyArray<readonly [string, number | undefined, string | undefined, Send]> = [
  // upload: database names, by original file name or target path
  ['upload named app.db', 403, 'DB_FILE_REFUSED', upload('', [file('app.db', 'not really')])],
  ['upload named APP.DB', 403, 'DB_FILE_REFUSED', upload('', [file('APP.DB')])],
  ['upload named app.db. (trailing dot)', 403, 'DB_FILE_REFUSED', upload('', [file('app.db.')])],
  ['upload named app.db::$DATA', 403, 'DB_FILE_REFUSED', upload('', [file('app.db::$DATA')])],
  ['upload named x.sqlite-wal', 403, 'DB_FILE_REFUSED', upload('', [file('x.sqlite-wal')])],
  ['upload named x.db-shm', 403, 'DB_FILE_REFUSED', upload('', [file('x.db-shm')])],
  ['upload named x.lock', 403, 'DB_FILE_REFUSED', upload('', [file('x.lock')])],
  ['upload to ?path=uploads/x.db-journal', 403, 'DB_FILE_REFUSED', upload('?path=uploads/x.db-journal', [file('x.txt')])],
  ['upload to ?path=instance/scouting.db', 403, 'DB_FILE_REFUSED', upload('?path=instance/scouting.db', [file('x.txt')])],
  ['upload to a text path with a database original name', 403, 'DB_FILE_REFUSED', upload('?path=uploads/existing.txt', [file('app.sqlite3')])],
  // upload: a database on disk under a name the policy does not know
  ['upload over a database named without an extension', 403, 'DB_CONTENT_REFUSED', upload('?path=uploads/state', [file('state.txt')])],
  ['upload over the -wal of such a database', 403, 'DB_CONTENT_REFUSED', upload('?path=uploads/state-wal', [file('state-wal')])],
  ['upload, without a path, over such a database', 403, 'DB_CONTENT_REFUSED', upload('', [file('state')])],
  // upload: database content under another name
  ['upload renamed SQLite content', 403, 'DB_CONTENT_REFUSED', upload('?path=uploads/existing.txt', [file('photo.jpg', SQLITE_BYTES)])],
  ['upload WAL content', 403, 'DB_CONTENT_REFUSED', upload('', [file('notes.txt', WAL_BYTES)])],
  ['upload journal content', 403, 'DB_CONTENT_REFUSED', upload('', [file('notes.txt', JOURNAL_BYTES)])],
  // upload: paths
  ['upload with ../ traversal', 400, 'BAD_PATH', upload('?path=uploads/../instance/x.txt', [file('x.txt')])],
  ['upload with double-encoded traversal', 400, 'BAD_PATH', upload('?path=uploads/%252e%252e/x.txt', [file('x.txt')])],
  ['upload to an absolute path', 400, 'BAD_PATH', upload('?path=/etc/passwd', [file('x.txt')])],
  ['upload with a backslash', 400, 'BAD_PATH', upload('?path=uploads%5Cx.txt', [file('x.txt')])],
  ['upload with a NUL byte', 400, 'BAD_PATH', upload('?path=uploads/x%00.txt', [file('x.txt')])],
  ['upload to an unknown root', 404, 'UNKNOWN_ROOT', upload('?path=secrets/x.txt', [file('x.txt')])],
  ['upload through a symlink leaving the root', 400, 'BAD_PATH', upload('?path=uploads/escape/x.txt', [file('x.txt')])],
  ['upload with a raw control character in the file name', 400, 'MALFORMED_MULTIPART', upload('', [file('a\u0001b.txt')])],
  ['upload with an escaped newline in the file name', 400, 'BAD_PATH', upload('', [file('a%0Ab.txt')])],
  ['upload with a file name not in NFC', 400, 'BAD_PATH', upload('', [file('cafe\u0301.txt')])],
  ['upload with the path given twice', 400, 'BAD_PATH', upload('?path=uploads/a.txt&path=uploads/b.txt', [file('x.txt')])],
  ['upload over a folder', 409, 'PATH_CONFLICT', upload('?path=uploads/somedir', [file('x.txt')])],
  ['upload below a file', 409, 'PATH_CONFLICT', upload('?path=uploads/existing.txt/inner.txt', [file('x.txt')])],
  // upload: body shape and size
  ['upload with a declared body over the limit', 413, 'FILE_TOO_LARGE', upload('', [file('big.txt', Buffer.alloc(3 * MAX_UPLOAD, 97))])],
  // a database is refused with 403 whatever its declared size; a file that is not one, with 413, before its body is read
  ['upload to ?path=instance/app.db declaring 1 GiB', 403, 'DB_FILE_REFUSED', declaredHuge('?path=instance/app.db', 'app.db')],
  ['upload named app.db declaring 1 GiB', 403, 'DB_FILE_REFUSED', declaredHuge('', 'app.db')],
  ['upload, without a path, over a database named without an extension, declaring 1 GiB', 403, 'DB_CONTENT_REFUSED', declaredHuge('', 'state')],
  ['upload to ?path= of a text file declaring 1 GiB', 413, 'FILE_TOO_LARGE', declaredHuge('?path=uploads/big.txt', 'big.txt')],
  ['upload named big.txt declaring 1 GiB', 413, 'FILE_TOO_LARGE', declaredHuge('', 'big.txt')],
  ['upload declaring 1 GiB whose preamble hides the file part past 64 KiB', 413, 'FILE_TOO_LARGE', rawUpload({ 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(1024 * 1024 * 1024) }, preambleThenFile(3 * MAX_UPLOAD))],
  ['upload with 5 fields', 413, 'TOO_MANY_FIELDS', upload('?path=uploads/existing.txt', [...['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, content: 'x' })), file('x.txt')])],
  ['upload under Content-Encoding: gzip (stored as sent, so refused)', 415, 'UNSUPPORTED_ENCODING', upload('?path=uploads/existing.txt', [file('x.txt')], { ...AUTH, 'Content-Encoding': 'gzip' })],
  ['upload with a chunked body over the limit', 413, 'FILE_TOO_LARGE', rawUpload({ 'Content-Type': 'multipart/form-data; boundary=b', 'Transfer-Encoding': 'chunked' }, unfinishedBody(4 * MAX_UPLOAD))],
  ['upload whose preamble alone is over the limit, then a small file', 413, 'FILE_TOO_LARGE', rawUpload({ 'Content-Type': 'multipart/form-data; boundary=b', 'Transfer-Encoding': 'chunked' }, preambleThenFile(3 * MAX_UPLOAD))],
  ['upload with too many parts (4 fields, then the file)', 413, 'TOO_MANY_PARTS', upload('', [...Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, content: 'x' })), file('x.txt')])],
  ['upload with two files', 400, 'TOO_MANY_FILES', upload('', [file('a.txt'), file('b.txt')])],
  ['upload in the wrong field', 400, 'UNEXPECTED_FILE_FIELD', upload('', [{ name: 'attachment', filename: 'a.txt', content: 'x' }])],
  ['upload with a huge field value', 413, 'FIELD_TOO_LARGE', upload('', [{ name: 'sha256', content: 'a'.repeat(5000) }, file('x.txt')])],
  ['upload with no file part', 400, 'NO_FILE', upload('', [{ name: 'note', content: 'hello' }])],
  ['upload that is not multipart', 400, 'NO_FILE', async (server) => {
    const response = await request(server.url).post('/api/sync/files/upload').set(AUTH).send({ file: 'x' });
    return { status: response.status, body: response.body as unknown };
  }],
  ['upload with a wrong sha256', 422, 'HASH_MISMATCH', upload('?path=uploads/existing.txt', [file('x.txt', 'tampered'), { name: 'sha256', content: 'a'.repeat(64) }])],
  ['upload with a malformed sha256', 400, 'BAD_SHA256', upload('?path=uploads/existing.txt', [file('x.txt'), { name: 'sha256', content: 'xyz' }])],
  ['upload with the sha256 field twice (each valid)', 400, 'BAD_SHA256', upload('?path=uploads/existing.txt', [file('x.txt'), { name: 'sha256', content: 'a'.repeat(64) }, { name: 'sha256', content: 'a'.repeat(64) }])],
  ['upload with the if_match field twice', 400, 'BAD_PRECONDITION', upload('?path=uploads/existing.txt', [file('x.txt'), { name: 'if_match', content: 'a'.repeat(64) }, { name: 'if_match', content: 'a'.repeat(64) }])],
  ['upload with an empty sha256 query parameter', 400, 'BAD_SHA256', upload('?path=uploads/existing.txt&sha256=', [file('x.txt')])],
  ['upload with a sha256 field and query that differ', 400, 'BAD_SHA256', upload(`?path=uploads/existing.txt&sha256=${'0'.repeat(64)}`, [{ name: 'sha256', content: 'a'.repeat(64) }, file('x.txt')])],
  ['upload with an empty if_match', 400, 'BAD_PRECONDITION', upload('?path=uploads/existing.txt&if_match=', [file('x.txt')])],
  ['upload with a truncated multipart body', 400, 'MALFORMED_MULTIPART', rawUpload({ 'Content-Type': 'multipart/form-data; boundary=b' }, unfinishedBody(1000))],
  ['upload with a multipart type but no boundary', 400, 'MALFORMED_MULTIPART', rawUpload({ 'Content-Type': 'multipart/form-data' }, [Buffer.from('x')])],
  ['upload without a token', 401, 'UNAUTHORIZED', upload('', [file('x.txt')], {})],
  ['upload with a wrong token', 401, 'UNAUTHORIZED', upload('', [file('x.txt')], { Authorization: 'Bearer wrong-token-0123456789' })],
  ['upload aborted mid-stream', undefined, undefined, rawUpload({ 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(MAX_UPLOAD) }, unfinishedBody(MAX_UPLOAD), MAX_UPLOAD / 2)],
  // download
  ['download the database', 403, 'DB_FILE_REFUSED', get('download?path=instance/app.db')],
  ['download the WAL', 403, 'DB_FILE_REFUSED', get('download?path=instance/app.db-wal')],
  ['download renamed database content', 403, 'DB_CONTENT_REFUSED', get('download?path=uploads/disguised.png')],
  ['download with ../ traversal', 400, 'BAD_PATH', get('download?path=uploads/../instance/settings.json')],
  ['download with encoded traversal', 400, 'BAD_PATH', get('download?path=uploads%2F..%2F..%2Fetc%2Fpasswd')],
  ['download through a symlink leaving the root', 400, 'BAD_PATH', get('download?path=uploads/escape/secret.txt')],
  ['download a missing file', 404, 'NOT_FOUND', get('download?path=uploads/missing.txt')],
  ['download a database named without an extension', 403, 'DB_CONTENT_REFUSED', get('download?path=uploads/state')],
  ['download the -shm of such a database', 403, 'DB_CONTENT_REFUSED', get('download?path=uploads/state-shm')],
  ['download the -wal of such a database', 403, 'DB_CONTENT_REFUSED', get('download?path=uploads/state-wal')],
  ['download a folder', 404, 'NOT_FOUND', get('download?path=uploads/somedir')],
  ['download without a path', 400, 'BAD_PATH', get('download')],
  ['download an unsatisfiable range', 416, 'RANGE_NOT_SATISFIABLE', async (server) => {
    const response = await request(server.url).get('/api/sync/files/download?path=uploads/existing.txt').set(AUTH).set('Range', 'bytes=500-600');
    return { status: response.status, body: response.body as unknown };
  }],
  // delete
  ['delete a database named without an extension', 403, 'DB_CONTENT_REFUSED', del('uploads/state')],
  ['delete the -shm of such a database', 403, 'DB_CONTENT_REFUSED', del('uploads/state-shm')],
  ['delete a database named without an extension, with its right if_match', 403, 'DB_CONTENT_REFUSED', del(`uploads/state&if_match=${'0'.repeat(64)}`)],
  ['delete a disguised database with if_match=none', 403, 'DB_CONTENT_REFUSED', del('uploads/disguised.png&if_match=none')],
  ['delete the database', 403, 'DB_FILE_REFUSED', del('instance/app.db')],
  ['delete with ../ traversal', 400, 'BAD_PATH', del('uploads/../instance/settings.json')],
  ['delete a missing file', 404, 'NOT_FOUND', del('uploads/missing.txt')],
  ['delete a folder', 409, 'PATH_CONFLICT', del('uploads/somedir')],
  ['delete a file that changed meanwhile', 412, 'PRECONDITION_FAILED', del(`uploads/existing.txt&if_match=${'0'.repeat(64)}`)],
  ['delete with a malformed if_match', 400, 'BAD_PRECONDITION', del('uploads/existing.txt&if_match=yesterday')],
  ['delete with an empty if_match', 400, 'BAD_PRECONDITION', del('uploads/existing.txt&if_match=')],
  ['delete without a token', 401, 'UNAUTHORIZED', del('uploads/existing.txt', {})],
  ['upload over a file that changed meanwhile', 412, 'PRECONDITION_FAILED', upload(`?path=uploads/existing.txt&if_match=${'0'.repeat(64)}`, [file('x.txt')])],
  ['upload with if_match=none over an existing file', 412, 'PRECONDITION_FAILED', upload('?path=uploads/existing.txt&if_match=none', [file('x.txt')])],
  // checksums
  ['checksums with ../ traversal', 400, 'BAD_PATH', get('checksums?path=uploads/..')],
  ['checksums of an unknown root', 404, 'UNKNOWN_ROOT', get('checksums?path=etc')],
  ['checksums of a file', 400, 'NOT_A_FOLDER', get('checksums?path=uploads/existing.txt')],
  ['checksums of a missing folder', 404, 'NOT_FOUND', get('checksums?path=uploads/nowhere')],
  ['checksums through a symlink leaving the root', 400, 'BAD_PATH', get('checksums?path=uploads/escape')],
  ['checksums without a path', 400, 'BAD_PATH', get('checksums')],
  ['checksums without a token', 401, 'UNAUTHORIZED', get('checksums?path=uploads', {})],
];

async function waitForNoTempFiles(dir: string): Promise<void> {
  const deadline = Date.now() + 30_000; // generous: a loaded machine
  while (tempFilesUnder(dir).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('file endpoints under hostile input', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.instance ?? '', 'settings.json', '{"event":"practice"}');
    put(roots.instance ?? '', 'app.db', SQLITE_BYTES);
    put(roots.instance ?? '', 'app.db-wal', WAL_BYTES);
    put(roots.uploads ?? '', 'existing.txt', 'the previous version');
    put(roots.uploads ?? '', 'somedir/inner.txt', 'inner');
    put(roots.uploads ?? '', 'disguised.png', SQLITE_BYTES);
    put(roots.uploads ?? '', 'state', SQLITE_BYTES);
    put(roots.uploads ?? '', 'state-shm', Buffer.alloc(64));
    put(roots.uploads ?? '', 'state-wal', Buffer.alloc(32));
    mkdirSync(path.join(temp.dir, 'outside'));
    put(temp.dir, 'outside/secret.txt', 'secret');
    symlinkSync(path.join(temp.dir, 'outside'), path.join(roots.uploads ?? '', 'escape'));
    server = await startServer(makeApp({ roots, maxUploadBytes: MAX_UPLOAD, refusedBodyDrainMs: 500 }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it(`has at least 30 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it('says a repeated field is repeated, not malformed (x1: two valid sha256 fields were "must be 64 hexadecimal characters")', async () => {
    const digest = 'a'.repeat(64);
    const twice = await upload('?path=uploads/existing.txt', [file('x.txt'), { name: 'sha256', content: digest }, { name: 'sha256', content: digest }])(server);
    expect(twice.body).toEqual({ error: { code: 'BAD_SHA256', message: expect.stringMatching(/given more than once/) } });
    const preconditions = await upload('?path=uploads/existing.txt', [file('x.txt'), { name: 'if_match', content: digest }, { name: 'if_match', content: digest }])(server);
    expect(preconditions.body).toEqual({ error: { code: 'BAD_PRECONDITION', message: expect.stringMatching(/given more than once/) } });
  });

  it.each(CASES)('%s → %s %s, every root unchanged, no temp file', async (_label, status, code, send) => {
    const before = treeDigest(temp.dir);
    const answer = await send(server);
    expect(answer.status).toBe(status);
    if (code !== undefined) expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    await waitForNoTempFiles(temp.dir);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(treeDigest(temp.dir)).toBe(before);
  });
});
