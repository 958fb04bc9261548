import zlib from 'node:zlib';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { dbDigest, trackedDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const TABLES = ['teams', 'reports'];

/**
 * `Content-Encoding: deflate` was inflated on every JSON POST of the sync router (Express's JSON
 * parser reads it), though docs/PROTOCOL.md lists gzip and br, no client of this package sends it,
 * and `Accept-Encoding: deflate` is answered uncompressed. It is 415 `UNSUPPORTED_ENCODING` now,
 * naming the codings read, with `Accept-Encoding: gzip, br, identity` (RFC 7694), nothing applied.
 */
describe('a JSON POST under Content-Encoding: deflate', () => {
  let source: TempDb & { readonly tracker: ChangeTracker };
  let target: TempDb & { readonly tracker: ChangeTracker };
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  beforeEach(async () => {
    temp = tempDir('ess-aj3-deflate-');
    source = trackedDb();
    target = trackedDb();
    source.db.prepare("INSERT INTO teams (id, name, number) VALUES ('t-1', 'Robots', 254)").run();
    server = await startServer(makeApp({ database: target.db, tables: TABLES, roots: makeRoots(temp.dir) }));
  });
  afterEach(async () => {
    await server.close();
    source.cleanup();
    target.cleanup();
    temp.cleanup();
  });

  const page = (): unknown => source.tracker.readChanges(0, 1000, target.tracker.siteId);
  it.each([
    ['/data/changes', page],
    ['/data/conflicts/0123456789abcdef/resolve', () => ({ action: 'discard' })],
    ['/files/settled', () => ({ site: 'a'.repeat(32), settled: [] })],
    ['/deletions/confirm', () => ({ peer: 'http://127.0.0.1:1/api/sync', root: 'uploads' })],
  ])('POST %s is 415 naming gzip and br, nothing applied', async (route, body) => {
    const digest = dbDigest(target.db);
    const answer = await fetch(`${server.url}/api/sync${route}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' },
      body: zlib.deflateSync(Buffer.from(JSON.stringify(body()))),
    });
    expect(answer.status).toBe(415);
    expect(answer.headers.get('accept-encoding')).toBe('gzip, br, identity');
    expect(await answer.json()).toEqual({ error: { code: 'UNSUPPORTED_ENCODING', message: expect.stringMatching(/"deflate" is not one this server reads: send it as gzip, br, or without Content-Encoding/) as unknown } });
    expect(dbDigest(target.db)).toBe(digest);
  });

  it('still applies the same page sent as gzip', async () => {
    const answer = await fetch(`${server.url}/api/sync/data/changes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync(Buffer.from(JSON.stringify(page()))),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ applied: 1 });
  });
});
