import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { recordingServer, type RecordingServer } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * `POST /run` syncs every peer. `?peer=<url>` (read as "sync this one peer") or a typo of
 * `stream` was ignored: every peer was synced, unstreamed, as if the request had been right.
 * Like the file routes and `/deletions/confirm`, it is now refused, and nothing is run.
 */
describe('POST /run with a query parameter other than stream', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: RecordingServer;
  let node: SyncNode;
  let app: express.Express;
  beforeEach(async () => {
    temp = tempDir('ess-h3-run-query-');
    mkdirSync(path.join(temp.dir, 'uploads'));
    peer = await recordingServer((_req, res) => void res.writeHead(503).end());
    node = createSyncNode({ token: TEST_TOKEN, roots: { uploads: path.join(temp.dir, 'uploads') }, stateDir: path.join(temp.dir, 'state'), peers: [peer.url], logger: silentLogger });
    app = express().use('/api/sync', node.router) as express.Express;
  });
  afterEach(async () => {
    await node.stop();
    await peer.close();
    temp.cleanup();
  });

  it.each([
    ['a peer to sync alone', (): string => `peer=${encodeURIComponent(peer.url)}`],
    ['a typo of stream', (): string => 'straem=ndjson'],
    ['stream and another', (): string => 'stream=ndjson&root=uploads'],
  ])('%s is 400 BAD_REQUEST naming it, and no peer is asked anything', async (_what, query) => {
    const res = await request(app).post(`/api/sync/run?${query()}`).set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toMatch(/^unknown query parameter "(peer|straem|root)": POST \/run takes only stream=ndjson/);
    expect(peer.requests).toEqual([]);
  });

  // Helper am2: a body was never read, so `{ "peer": <url> }` synced every peer, as `?peer=` did.
  it.each([
    ['a JSON body naming a peer', 'application/json', (): string => JSON.stringify({ peer: peer.url }), 'a body with "peer"'],
    ['a form body', 'application/x-www-form-urlencoded', (): string => `peer=${encodeURIComponent(peer.url)}`, 'a body that is not JSON'],
    ['a JSON array', 'application/json', (): string => '[]', 'a JSON array'],
    ['a JSON null', 'application/json', (): string => 'null', 'a JSON null'],
  ])('%s is 400 BAD_REQUEST naming it, and no peer is asked anything', async (_what, type, body, words) => {
    const res = await request(app).post('/api/sync/run').set(auth).set('Content-Type', type).send(body());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining(`POST /run takes no body (got ${words}`) as string } });
    expect(peer.requests).toEqual([]);
  });

  it.each([
    ['{}', '{}'],
    ['only whitespace', ' \n'],
    ['an empty body', ''],
    ['{} after a UTF-8 byte order mark (a file saved by a Windows editor, sent with curl -d @file)', '\uFEFF{}'],
  ])('a body of %s asks nothing: it runs', async (_what, body) => {
    expect((await request(app).post('/api/sync/run').set(auth).set('Content-Type', 'application/json').send(body)).status).toBe(502); // the one peer answers 503
    expect(peer.requests.length).toBeGreaterThan(0);
  });

  it('without a query, or with stream=ndjson, it runs', async () => {
    expect((await request(app).post('/api/sync/run').set(auth)).status).toBe(502); // the one peer answers 503
    expect((await request(app).post('/api/sync/run?stream=ndjson').set(auth)).status).toBe(200);
    expect(peer.requests.length).toBeGreaterThan(0);
  });
});
