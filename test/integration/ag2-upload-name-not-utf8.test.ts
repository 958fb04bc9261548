import { readdirSync } from 'node:fs';
import path from 'node:path';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { rawRequest } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A multipart body whose file part's Content-Disposition is `disposition`, given as bytes. */
function body(disposition: Buffer): Buffer {
  return Buffer.concat([Buffer.from('--b\r\nContent-Disposition: '), disposition, Buffer.from('\r\n\r\nhello\r\n--b--\r\n')]);
}
const named = (...pieces: Array<string | number[]>): Buffer => Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece))));

/**
 * Found by helper ag2: an upload sent without `?path=` whose file name was not UTF-8 (`café.txt` from
 * a client writing Latin-1, the byte 0xE9) was stored as `caf\ufffd.txt`, a name its sender never gave,
 * though a `?path=` with such bytes is 400 BAD_PATH, "never a name with U+FFFD in it". It is refused the same way.
 */
describe('ag2: an upload by file name whose name is not UTF-8', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  let uploads: string;
  beforeEach(async () => {
    temp = tempDir('ess-ag2-name-');
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    put(uploads, 'kept.txt', 'kept');
    server = await startServer(makeApp({ roots, uploadRoot: 'uploads' }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  const send = (query: string, disposition: Buffer) => {
    const sent = body(disposition);
    return rawRequest(`${server.url}/api/sync/files/upload${query}`, { headers: { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(sent.length) }, chunks: [sent] });
  };

  it.each([
    ['a Latin-1 é', named('form-data; name="file"; filename="caf', [0xe9], '.txt"')],
    ['a lone continuation byte', named('form-data; name="file"; filename="notes', [0x80], '.txt"')],
    ['a cut UTF-8 sequence', named('form-data; name="file"; filename="', [0xe2, 0x82], 'photo.jpg"')],
  ])('%s: 400 BAD_PATH, nothing written', async (_what, disposition) => {
    const before = treeDigest(temp.dir);
    const answer = await send('', disposition);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'BAD_PATH', message: expect.stringMatching(/^bad path: the file name ".*\ufffd.*" is not UTF-8 .*send the name in UTF-8, or name the target with \?path=$/) as unknown } });
    expect(treeDigest(temp.dir)).toBe(before);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
  });

  it('the same name in UTF-8, as bytes or as filename*, is stored under it', async () => {
    expect((await send('', named('form-data; name="file"; filename="caf', [0xc3, 0xa9], '.txt"'))).status).toBe(201);
    expect((await send('', named("form-data; name=\"file\"; filename*=UTF-8''th%C3%A9.txt"))).status).toBe(201);
    expect(readdirSync(uploads).sort()).toEqual(['café.txt', 'kept.txt', 'thé.txt']);
  });

  it('with ?path=, the file name as sent is not used: stored at the path', async () => {
    expect((await send('?path=uploads/named.txt', named('form-data; name="file"; filename="caf', [0xe9], '.txt"'))).status).toBe(201);
    expect(readdirSync(uploads).sort()).toEqual(['kept.txt', 'named.txt']);
  });
});
