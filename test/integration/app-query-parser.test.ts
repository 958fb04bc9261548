import { readdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { trackedDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * The router reads its query parameters from the URL as sent, whatever the
 * app's `query parser` setting. With `app.set('query parser', false)`,
 * `req.query` is empty: the data routes served every page from 0 with the
 * default limit (`?since=abc` was 200), an upload to `?path=config/x.json`
 * was stored as `uploads/x.json` (and `?path=instance/app.db` under the
 * file's name, 201), and `/deletions/confirm?peer=…` confirmed for every
 * peer. `since[]=3` (any parser) was passed over: a page from 0.
 */
describe.each([['false', false], ['simple', 'simple'], ['extended', 'extended']] as const)('an app whose query parser is %s', (_label, parser) => {
  let temp: ReturnType<typeof tempDir>;
  let data: ReturnType<typeof trackedDb>;
  let roots: Record<string, string>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    data = trackedDb();
    roots = makeRoots(path.join(temp.dir, 'data'));
    const app = express();
    app.set('query parser', parser);
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots, database: data.db, tables: ['teams', 'reports'] }));
    server = await startServer(app);
    const insert = data.db.prepare("INSERT INTO teams (id, name) VALUES (?, 'team')");
    for (let n = 0; n < 5; n += 1) insert.run(`t${n}`);
  });

  afterEach(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it('GET /data/changes honours since and limit, and refuses bad ones', async () => {
    const page = await request(server.url).get('/api/sync/data/changes?since=3&limit=1').set(AUTH);
    expect(page.status).toBe(200);
    expect({ since: page.body.since, rows: page.body.changes.length, next: page.body.next }).toEqual({ since: 3, rows: 1, next: 4 });
    for (const query of ['since=abc', 'since=1&since=2', 'since[]=3', 'limit[x]=1', 'exclude_site=nope']) {
      const answer = await request(server.url).get(`/api/sync/data/changes?${query}`).set(AUTH);
      expect({ query, status: answer.status, code: answer.body.error?.code }).toEqual({ query, status: 400, code: 'BAD_QUERY' });
    }
    // A name the route does not take is refused, whatever the parser (a typo such as `sinc=5` would serve from 0);
    // a newer client sends a new parameter only to a peer listing the protocol version that brings it (PROTOCOL.md, "Query parameters").
    const unknown = await request(server.url).get('/api/sync/data/changes?since=5&newer_option=1').set(AUTH);
    expect({ status: unknown.status, code: unknown.body.error?.code }).toEqual({ status: 400, code: 'BAD_QUERY' });
  });

  it('GET /data/info and /data/conflicts check their parameters', async () => {
    for (const url of ['/api/sync/data/info?site=nope', '/api/sync/data/info?seen_seq=-1', '/api/sync/data/conflicts?limit=0', '/api/sync/data/conflicts?after[]=0']) {
      const answer = await request(server.url).get(url).set(AUTH);
      expect({ url, status: answer.status, code: answer.body.error?.code }).toEqual({ url, status: 400, code: 'BAD_QUERY' });
    }
  });

  it('an upload lands at its ?path=, and a database target is refused', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: 'x.json', content: '{}' }]);
    const stored = await request(server.url).post('/api/sync/files/upload?path=config/x.json').set(AUTH).set('Content-Type', contentType).send(body);
    expect(stored.status).toBe(201);
    expect(stored.body.path).toBe('config/x.json');
    expect(readdirSync(roots.config ?? '')).toEqual(['x.json']);
    const refused = await request(server.url).post('/api/sync/files/upload?path=instance/app.db').set(AUTH).set('Content-Type', contentType).send(body);
    expect(refused.status).toBe(403);
    expect(readdirSync(roots.uploads ?? '')).toEqual([]);
  });

  it('POST /deletions/confirm with a query is refused, never taken for "every peer"', async () => {
    const answer = await request(server.url).post('/api/sync/deletions/confirm?peer=http://10.0.0.9:5000').set(AUTH);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_REQUEST');
  });
});
