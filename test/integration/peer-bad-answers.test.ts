import path from 'node:path';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { enableCapture } from '../../lib/data/capture';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { dbDigest, tempDb, type TempDb } from '../helpers/data';
import { makeRoots, put, treeDigest } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';
const OTHER_SITE = 'b'.repeat(32);
const HUGE = Array.from({ length: 200_000 }, (_, index) => index);

type Answers = Partial<Record<'info' | 'changes' | 'apply' | 'checksums', unknown>>;

/**
 * A hostile (or buggy) peer: it answers each sync route with what the test
 * gives, and with a well-formed answer otherwise.
 */
function hostilePeer(tracker: ChangeTracker, answers: Answers): express.Express {
  const app = express();
  const honestInfo = { ...tracker.info(), site: OTHER_SITE };
  app.get('/api/sync/data/info', (_req, res) => {
    res.json('info' in answers ? answers.info : honestInfo);
  });
  app.get('/api/sync/data/changes', (_req, res) => {
    res.json('changes' in answers ? answers.changes : { protocol: 1, site: OTHER_SITE, schema: tracker.schema, since: 0, next: 0, more: false, sites: [], changes: [] });
  });
  app.post('/api/sync/data/changes', (_req, res) => {
    res.json('apply' in answers ? answers.apply : { received: 1, applied: 1, ignored: 0, conflicts: [], seq: 1 });
  });
  app.get('/api/sync/files/checksums', (_req, res) => {
    res.json('checksums' in answers ? answers.checksums : { root: 'uploads', path: '', files: [] });
  });
  return app;
}

describe('a sync client facing a hostile peer', () => {
  let local: TempDb;
  let tracker: ChangeTracker;
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer | undefined;
  let client: SyncClient | undefined;

  beforeEach(() => {
    local = tempDb(SCHEMA);
    tracker = enableCapture(local.db, { tables: ['notes'] });
    local.db.prepare("INSERT INTO notes VALUES ('n1', 'mine')").run();
    temp = tempDir();
  });

  afterEach(async () => {
    await client?.stop();
    await server?.close();
    local.cleanup();
    temp.cleanup();
  });

  async function syncWith(answers: Answers, withFiles = false): Promise<{ code: string | undefined; message: string | undefined }> {
    server = await startServer(hostilePeer(tracker, answers));
    const roots = resolveSyncRoots(makeRoots(path.join(temp.dir, 'roots')));
    client = new SyncClient({ logger: silentLogger,
      peers: [`${server.url}/api/sync`],
      token: TEST_TOKEN,
      data: withFiles ? undefined : tracker,
      files: withFiles ? { roots, policy: createFilePolicy(), cache: new ManifestCache() } : undefined,
      stateDir: path.join(temp.dir, 'state'),
    });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    expect(result.ok).toBe(false);
    return { code: result.error?.code, message: result.error?.message };
  }

  const info = (): Record<string, unknown> => ({ ...tracker.info(), site: OTHER_SITE });

  it.each<[string, () => Answers, RegExp]>([
    ['/data/info without a site', () => ({ info: { ...info(), site: undefined } }), /site/],
    ['/data/info with a seq that is text', () => ({ info: { ...info(), seq: '12' } }), /\/seq/],
    ['/data/info with a negative seq', () => ({ info: { ...info(), seq: -1 } }), /\/seq/],
    ['/data/info with a schema that is not one', () => ({ info: { ...info(), schema: 'notes' } }), /\/schema/],
    ['/data/info that is an array', () => ({ info: [1, 2, 3] }), /answer/],
    ['/data/info that is null', () => ({ info: null }), /answer/],
    ['/data/info with a huge table list', () => ({ info: { ...info(), tables: HUGE.map(String) } }), /\/tables/],
    ['/data/info without its clock', () => ({ info: { ...info(), now: undefined } }), /now/],
    ['a page without a cursor', () => ({ changes: { protocol: 1, site: OTHER_SITE, more: false, changes: [] } }), /next/],
    ['a page whose changes are not a list', () => ({ changes: { protocol: 1, site: OTHER_SITE, next: 0, more: false, changes: 'all' } }), /\/changes/],
    ['a page of another protocol', () => ({ changes: { protocol: 99, site: OTHER_SITE, next: 0, more: false, changes: [] } }), /protocol/],
    ['an apply answer with conflicts as a count', () => ({ apply: { received: 1, applied: 1, ignored: 0, conflicts: 3, seq: 1 } }), /\/conflicts/],
    ['an apply answer missing applied', () => ({ apply: { received: 1, ignored: 0, conflicts: [], seq: 1 } }), /applied/],
    ['an apply answer with a huge list of junk conflicts', () => ({ apply: { received: 1, applied: 1, ignored: 0, conflicts: HUGE, seq: 1 } }), /\/conflicts\/0/],
  ])('refuses %s with PEER_BAD_ANSWER naming the field, and writes nothing', async (_label, answers, field) => {
    const before = dbDigest(local.db, true);
    const { code, message } = await syncWith(answers());
    expect(code).toBe('PEER_BAD_ANSWER');
    expect(message).toMatch(field);
    expect(dbDigest(local.db, true)).toBe(before);
    expect(tracker.pullCursor(OTHER_SITE)).toBe(0);
    expect(tracker.pushCursor(OTHER_SITE)).toBe(0);
  });

  it('refuses a peer name holding terminal escapes or line breaks (it is shown on status pages and terminals)', async () => {
    const { code, message } = await syncWith({ info: { ...info(), name: 'pit\u001b[2J\r\nforged line' } });
    expect(code).toBe('PEER_BAD_ANSWER');
    expect(message).toMatch(/\/name/);
  });

  it.each<[string, (res: express.Response) => void, string]>([
    ['a proxy\'s HTML error page', (res) => res.status(502).type('html').send('<html><body>Bad gateway</body></html>'), 'PEER_ERROR'],
    ['an error whose code is not a code (1 MB of it)', (res) => res.status(500).json({ error: { code: 'C'.repeat(1_000_000), message: 'm' } }), 'PEER_ERROR'],
    ['an error with a 5 MB message of terminal escapes', (res) => res.status(500).json({ error: { code: 'INTERNAL', message: '\u001b[2J\u001b[31mRED\r\n'.repeat(400_000) } }), 'INTERNAL'],
  ])('takes %s as the peer\'s error, bounded and printable', async (_label, answer, expected) => {
    const app = express();
    app.get('/api/sync/data/info', (_req, res) => answer(res));
    server = await startServer(app);
    client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    expect(result.error?.code).toBe(expected);
    expect(result.error?.message.length).toBeLessThan(1500);
    // eslint-disable-next-line no-control-regex
    expect(result.error?.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('refuses a compact page carrying a stray `changes` field with a clear 4xx code (no TypeError), and writes nothing', async () => {
    const before = dbDigest(local.db, true);
    const stray = { protocol: 2, site: OTHER_SITE, schema: tracker.schema, since: 0, next: 1, more: false, sites: [OTHER_SITE], tables: [], changes: null };
    const { code, message } = await syncWith({ changes: stray });
    expect(code).toBe('INVALID_CHANGESET');
    expect(message).toMatch(/changes/);
    expect(dbDigest(local.db, true)).toBe(before);
    expect(tracker.pullCursor(OTHER_SITE)).toBe(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['a listing without files', { root: 'uploads', path: '' }, /files/],
    ['a listing with a bad digest', { root: 'uploads', path: '', files: [{ path: 'a.txt', size: 1, mtimeMs: 1, sha256: 'not-hex' }] }, /sha256/],
    ['a listing with a negative size', { root: 'uploads', path: '', files: [{ path: 'a.txt', size: -5, mtimeMs: 1, sha256: 'a'.repeat(64) }] }, /size/],
    ['a listing of numbers', { root: 'uploads', path: '', files: HUGE }, /\/files\/0/],
  ])('refuses %s from /files/checksums and touches no file', async (_label, checksums, field) => {
    const uploads = path.join(temp.dir, 'roots', 'uploads');
    put(uploads, 'keep.txt', 'mine');
    const before = treeDigest(uploads);
    server = await startServer(hostilePeer(tracker, { checksums }));
    const roots = resolveSyncRoots({ uploads });
    client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, files: { roots, policy: createFilePolicy(), cache: new ManifestCache() }, stateDir: path.join(temp.dir, 'state') });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    const errors = [result.error, ...result.fileErrors].filter((error) => error !== undefined);
    expect(errors.map((error) => error.code)).toContain('PEER_BAD_ANSWER');
    expect(errors.map((error) => error.message).join(' ')).toMatch(field);
    expect(treeDigest(uploads)).toBe(before);
  });

  it('refuses an answer larger than the limit without reading it all', async () => {
    const big = express();
    big.get('/api/sync/data/info', (_req, res) => {
      res.type('json').write('{"pad":"');
      const chunk = 'x'.repeat(1024 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 80 && res.write(chunk)) sent += 1;
        if (sent < 80) res.once('drain', pump);
        else res.end('"}');
      };
      pump();
    });
    server = await startServer(big);
    client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    expect(result.error?.code).toBe('PEER_BAD_ANSWER');
    expect(result.error?.message).toMatch(/larger than/);
  });

  it('the honest answers of the same fake peer sync (the control)', async () => {
    server = await startServer(hostilePeer(tracker, {}));
    client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker });
    const result = await client.syncPeer(`${server.url}/api/sync`);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
  });
});
