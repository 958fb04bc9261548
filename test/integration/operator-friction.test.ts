import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { answerClientErrorsAsJson } from '../../middleware/client-errors';
import { createSyncNode } from '../../node/create-sync-node';
import { readSampleConfig } from '../../sample-app/config';
import type { RunningSampleApp } from '../../sample-app/server';
import { InProcessSampleApps } from '../helpers/in-process-sample-apps';
import { captureLog, LEVEL } from '../helpers/log';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { deadSyncUrl } from '../helpers/k2-dead-port';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  return deadSyncUrl();
}

/** A database with one syncable table. */
function notesDatabase(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
  return db;
}

/** The node's peer statuses once the first peer has failed `count` times in a row (polled for at most 10 s). */
async function waitForFailures(node: ReturnType<typeof createSyncNode>, count: number): Promise<ReturnType<NonNullable<typeof node.client>['peerStatuses']>> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const statuses = node.client?.peerStatuses() ?? [];
    if ((statuses[0]?.failures ?? 0) >= count) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${count} failures in 10 s`);
}

function withNotes(db: Database.Database): { token: string; logger: typeof silentLogger; database: Database.Database; tables: string[] } {
  return { token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['notes'] };
}

describe('operator friction, each fixed', () => {
  let temp: ReturnType<typeof tempDir>;
  const apps = new InProcessSampleApps(() => temp.dir);
  const startApp = (name: string, env: Record<string, string> = {}): Promise<RunningSampleApp> => apps.start(name, env);
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(async () => {
    await apps.closeAll();
    temp.cleanup();
  });

  it('a peer URL without a path means its /api/sync in `peers`, as in SYNC_PEERS', () => {
    const db = notesDatabase();
    try {
      const node = createSyncNode({ ...withNotes(db), peers: ['http://10.0.0.2:5000', 'http://10.0.0.3:5000/', 'https://cloud.example.org/sync/'] });
      expect(node.client?.peers).toEqual(['http://10.0.0.2:5000/api/sync', 'http://10.0.0.3:5000/api/sync', 'https://cloud.example.org/sync']);
      expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_PEERS: 'http://10.0.0.2:5000, http://10.0.0.3:5000/' }).peers).toEqual(['http://10.0.0.2:5000/api/sync', 'http://10.0.0.3:5000/api/sync']);
      expect(() => createSyncNode({ ...withNotes(db), peers: ['10.0.0.2:5000'] })).toThrow(/is not a URL; write it as http:\/\/host:port/);
    } finally {
      db.close();
    }
  });

  it('start(30) is taken for a slip: raised to 1000 ms with a warning naming the unit; start(0) is refused', async () => {
    const log = captureLog();
    const db = notesDatabase();
    const node = createSyncNode({ ...withNotes(db), logger: log.logger, peers: [await deadUrl()] });
    try {
      expect(() => node.start(0)).toThrow(RangeError);
      node.start(30);
      expect(log.events('sync.interval_raised')).toEqual([
        expect.objectContaining({ level: LEVEL.warn, intervalMs: 30, usedMs: 1000, msg: expect.stringMatching(/in milliseconds.*write 30000 for 30 s/) }),
      ]);
    } finally {
      await node.stop();
      db.close();
    }
  });

  it('start({ intervalMs }) (issue 5) syncs periodically as start(intervalMs) does', async () => {
    const db = notesDatabase();
    const node = createSyncNode({ ...withNotes(db), peers: [await deadUrl()] });
    try {
      node.start({ intervalMs: 1000 });
      const [peer] = await waitForFailures(node, 2);
      expect(peer).toMatchObject({ state: 'unreachable', lastErrorCode: 'ECONNREFUSED' });
    } finally {
      await node.stop();
      db.close();
    }
  });

  it('POST /run answers 200 when every peer synced, 207 when some failed, 502 when all failed', async () => {
    const a = await startApp('a');
    const dead = await deadUrl();
    const allGood = await startApp('b', { SYNC_PEERS: a.url.replace('localhost', '127.0.0.1') });
    const some = await startApp('c', { SYNC_PEERS: `${a.url.replace('localhost', '127.0.0.1')},${dead}` });
    const none = await startApp('d', { SYNC_PEERS: dead });
    const run = async (app: RunningSampleApp): Promise<request.Response> => request(app.url).post('/api/sync/run').set(AUTH);
    expect((await run(allGood)).status).toBe(200);
    const partial = await run(some);
    expect(partial.status).toBe(207);
    expect((partial.body as { results: Array<{ ok: boolean }> }).results.map((result) => result.ok)).toEqual([true, false]);
    const failed = await run(none);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ results: [{ ok: false, error: { code: 'ECONNREFUSED', message: expect.stringMatching(/unreachable/) } }] });
    expect((await run(a)).status).toBe(200); // no peers: nothing failed
  });

  it('answers headers too large (431) in the JSON error shape', async () => {
    const a = await startApp('a');
    const { port } = a.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const outgoing = http.get({ host: '127.0.0.1', port, path: '/api/health', headers: { 'X-Huge': 'x'.repeat(20 * 1024) } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
      });
      outgoing.on('error', reject);
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' } });
  });

  // Helper r3's find: a CLOCK_SKEW refusal told the operator to raise maxClockSkewMs, which the sample app could not set.
  it('SYNC_MAX_CLOCK_SKEW_MS sets how far ahead a received clock may be', async () => {
    const source = await startApp('source');
    await request(source.server).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201);
    const page = (await request(source.server).get('/api/sync/data/changes?since=0&limit=10').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200)).body as { changes: Array<{ hlc: number }> };
    for (const change of page.changes) change.hlc += 3600 * 1000 * 1024; // an hour ahead
    const strict = await startApp('strict');
    const lenient = await startApp('lenient', { SYNC_MAX_CLOCK_SKEW_MS: String(2 * 3600 * 1000) });
    const push = (app: RunningSampleApp): request.Test => request(app.server).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).send(page);
    expect((await push(strict).expect(422)).body).toMatchObject({ error: { code: 'CLOCK_SKEW' } });
    expect((await push(lenient).expect(200)).body).toMatchObject({ applied: page.changes.length });
  });

  // Reviewer s1's find: an app's own checkExpectation listener, added after answerClientErrorsAsJson, made both
  // answer: the second writeHead threw inside Node's parser, an uncaught exception that ended the process.
  it("leaves an Expect to the app's own checkExpectation listener, added before or after", async () => {
    for (const order of ['after', 'before'] as const) {
      const server = http.createServer((_req, res) => res.end('not reached'));
      const own = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('the app answered');
      };
      if (order === 'before') server.on('checkExpectation', own);
      answerClientErrorsAsJson(server);
      answerClientErrorsAsJson(server); // twice: still one listener of ours
      if (order === 'after') server.on('checkExpectation', own);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/', headers: { Expect: 'foo' } }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          }).on('error', reject);
        });
        expect(answer).toEqual({ status: 200, body: 'the app answered' });
        expect(server.listenerCount('checkExpectation')).toBe(2);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });

  // Helper r2's find: Node answered an Expect other than 100-continue itself, with a bare 417 and no body.
  it('answers an Expect it does not support (417) in the JSON error shape, on any route', async () => {
    const a = await startApp('a');
    const { port } = a.server.address() as AddressInfo;
    for (const route of ['/api/health', '/api/sync/data/changes']) {
      const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        const outgoing = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', headers: { Expect: '200-ok', 'Content-Type': 'application/json', 'Content-Length': 2 } }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
        });
        outgoing.on('error', reject);
        outgoing.end('{}');
      });
      expect(answer.status).toBe(417);
      expect(answer.type).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'EXPECTATION_FAILED', message: expect.stringContaining('200-ok') as unknown } });
    }
  });

  it("a 5xx is answered in JSON and then reaches the app's own error middleware", async () => {
    const db = notesDatabase();
    const node = createSyncNode(withNotes(db));
    const seen: unknown[] = [];
    const appErrors: ErrorRequestHandler = (err, _req, res, next) => {
      seen.push(err);
      if (res.headersSent) return next(err);
      res.status(500).send('the app answered');
    };
    const app = express().use('/api/sync', node.router).use(appErrors);
    db.close(); // every data request now fails inside the tracker (503 DATABASE_CLOSED: see al3-database-closed)
    const answer = await request(app).get('/api/sync/data/info').set(AUTH);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: { code: 'DATABASE_CLOSED', message: expect.stringMatching(/database connection is closed/) } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([expect.objectContaining({ code: 'DATABASE_CLOSED', status: 503, cause: expect.objectContaining({ message: expect.stringMatching(/not open/) }) })]);
    await request(app).get('/api/sync/files/download?path=nope/x').set(AUTH).expect(404); // a 4xx stays with the router
    expect(seen).toHaveLength(1);
  });
});

describe('clock refusals of stamps stored while a clock was ahead', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh');
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('name their cause when the clocks agree now, on the side that pushes and on the side that pulls', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('a0b1c2d3-0000-4000-8000-000000000001', 1, 'written while the clock was an hour ahead');
    // The capture log keeps the clock the trigger stamped; make it an hour ahead, as a wrong clock would have.
    a.db.prepare('UPDATE _sync_log SET hlc = ? WHERE seq = (SELECT max(seq) FROM _sync_log)').run((Date.now() + 3600_000) * 1024);
    const [pushed] = await a.sync.syncNow();
    expect(pushed?.error?.code).toBe('CLOCK_SKEW');
    expect(pushed?.error?.message).toMatch(/The clocks agree now .* stored ones: this server's database holds changes written while its clock was ahead/);
    const [pulled] = await b.sync.syncNow();
    expect(pulled?.error?.code).toBe('CLOCK_SKEW');
    expect(pulled?.error?.message).toMatch(/stored ones: the peer's database holds changes/);
    expect(b.sync.client?.peerStatuses()[0]).toMatchObject({ clockSkewMs: expect.any(Number), lastError: expect.stringMatching(/stored ones/) });
  });
});
