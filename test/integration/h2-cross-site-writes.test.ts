import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { refuseCrossSiteWrites } from '../../middleware/cross-site';
import { syncErrorHandler } from '../../middleware/errors';
import { createSyncRouter } from '../../node/create-sync-router';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A router run without a token (`allowUnauthenticatedPeers`, "a closed network") took writes
 * from any web page a browser on that network opened: a cross-site form uploaded a file that
 * synced to every peer, and an empty cross-site POST confirmed every held deletion. A browser
 * marks such a request (`Sec-Fetch-Site`, or an `Origin` naming another host); peers, the CLI
 * and curl send neither, and the status page is same-origin.
 */
describe('writes a browser sends on behalf of another web site', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let app: express.Express;
  let uploads: string;

  beforeEach(() => {
    temp = tempDir('ess-h2-cross-');
    uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    db = new Database(path.join(temp.dir, 'app.db'));
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    app = express();
    app.use('/api/sync', createSyncRouter({ allowUnauthenticatedPeers: true, logger: silentLogger, database: db, tables: ['notes'], roots: { uploads } }));
  });
  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  const crossSite: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site', Origin: 'http://other.localhost' }],
    ['an Origin of another host (a browser without Sec-Fetch-Site)', { Origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
  ];

  it.each(crossSite)('a multipart upload with %s is refused with 403 CROSS_SITE_REFUSED and writes nothing', async (_label, headers) => {
    const answer = await request(app).post('/api/sync/files/upload?path=uploads/pwn.txt').set(headers).attach('file', Buffer.from('pwned'), 'pwn.txt');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'CROSS_SITE_REFUSED', message: expect.stringContaining('another web site') } });
    expect(existsSync(path.join(uploads, 'pwn.txt'))).toBe(false);
  });

  it.each(crossSite)('an empty POST to deletions/confirm and run with %s is refused, and shows in the refusals', async (_label, headers) => {
    for (const route of ['/api/sync/deletions/confirm', '/api/sync/run']) {
      const answer = await request(app).post(route).set(headers).type('form').send('');
      expect(answer.status).toBe(403);
      expect((answer.body as { error: { code: string } }).error.code).toBe('CROSS_SITE_REFUSED');
    }
    const status = (await request(app).get('/api/sync/status')).body as { refusals: Array<{ code: string; path: string }> };
    expect(status.refusals.slice(0, 2)).toEqual([expect.objectContaining({ code: 'CROSS_SITE_REFUSED', path: '/api/sync/run' }), expect.objectContaining({ code: 'CROSS_SITE_REFUSED', path: '/api/sync/deletions/confirm' })]);
  });

  it('the same requests from the status page (same-origin), from a typed URL, or from no browser at all still work', async () => {
    const host = '127.0.0.1:5000';
    const callers: ReadonlyArray<Record<string, string>> = [{ 'Sec-Fetch-Site': 'same-origin', Origin: `http://${host}` }, { 'Sec-Fetch-Site': 'none' }, { Origin: `http://${host}` }, {}];
    for (const [index, headers] of callers.entries()) {
      await request(app).post(`/api/sync/files/upload?path=uploads/ok-${index}.txt`).set('Host', host).set(headers).attach('file', Buffer.from('fine'), 'ok.txt').expect(201);
      expect(existsSync(path.join(uploads, `ok-${index}.txt`))).toBe(true);
      await request(app).post('/api/sync/run').set('Host', host).set(headers).expect(200);
      expect((await request(app).post('/api/sync/deletions/confirm').set('Host', host).set(headers)).body).toMatchObject({ error: { code: 'NOTHING_HELD' } });
    }
  });

  it('quotes the Origin it refuses in visible ASCII only, in the answer and the log (no terminal escape from a header)', async () => {
    const answer = await request(app).post('/api/sync/run').set('Origin', 'http://evil.example/\u009b31m');
    expect(answer.status).toBe(403);
    const message = (answer.body as { error: { message: string } }).error.message;
    expect(message).toContain('Origin: http://evil.example/?31m');
    expect(message).toMatch(/^[\x20-\x7e]+$/);
  });

  it('reads are never refused for their origin (the status page and a dashboard on another site only read)', async () => {
    await request(app).get('/api/sync/status').set({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }).expect(200);
    await request(app).get('/api/sync/metrics').set({ 'Sec-Fetch-Site': 'cross-site' }).expect(200);
  });

  it('with a token too: a cross-site write is refused whatever it carries; a same-origin one with the token passes', async () => {
    const guarded = express();
    guarded.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots: { uploads } }));
    const answer = await request(guarded).post('/api/sync/run').set({ 'Sec-Fetch-Site': 'cross-site', Authorization: `Bearer ${TEST_TOKEN}` });
    expect(answer.status).toBe(403);
    expect((answer.body as { error: { code: string } }).error.code).toBe('CROSS_SITE_REFUSED');
    await request(guarded).post('/api/sync/run').set({ 'Sec-Fetch-Site': 'same-origin', Authorization: `Bearer ${TEST_TOKEN}` }).expect(200);
  });
});

describe('refuseCrossSiteWrites in an app of its own', () => {
  it('words the refusal with the message given, and refuses a message that is not a function', async () => {
    const app = express();
    app.use(refuseCrossSiteWrites({ message: (what) => `not from here (${what})` }));
    app.post('/notes', (_req, res) => res.status(201).json({ ok: true }));
    app.use(syncErrorHandler(silentLogger));
    const refused = await request(app).post('/notes').set('Origin', 'https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'CROSS_SITE_REFUSED', message: 'not from here (Origin: https://evil.example)' } });
    expect((await request(app).post('/notes')).status).toBe(201);
    expect(() => refuseCrossSiteWrites({ message: 'no' as unknown as (what: string) => string })).toThrow(TypeError);
  });
});
