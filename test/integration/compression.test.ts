import { randomUUID } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import express from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { PeerHttp } from '../../lib/peers/peer-http';
import { dbDigest, tableRows, TEST_SCHEMA, tempDb, trackedDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['teams', 'reports'];

function addTeams(db: TempDb['db'], count: number): void {
  const insert = db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `team number ${i} of the regional`, i);
  })();
}

/** A GET over plain node:http, so the body arrives as sent (fetch and supertest inflate it themselves). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compressed changes pages', () => {
  let source: TempDb & { readonly tracker: ChangeTracker };
  let server: TestServer;
  beforeEach(async () => {
    source = trackedDb();
    addTeams(source.db, 300);
    server = await startServer(makeApp({ database: source.db, tables: TABLES }));
  });
  afterEach(async () => {
    await server.close();
    source.cleanup();
  });

  it.each([
    ['gzip', 'gzip', (body: Buffer) => zlib.gunzipSync(body)],
    ['br', 'br', (body: Buffer) => zlib.brotliDecompressSync(body)],
    ['gzip;q=0, br', 'br', (body: Buffer) => zlib.brotliDecompressSync(body)],
    ['identity', 'no coding', (body: Buffer) => body],
    ['deflate', 'no coding', (body: Buffer) => body],
  ])('GET /data/changes with Accept-Encoding: %s is answered in %s', async (accept, coding, inflate) => {
    const answer = await rawGet(`${server.url}/api/sync/data/changes?limit=1000`, { ...AUTH, 'Accept-Encoding': accept });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding'] ?? 'no coding').toBe(coding);
    expect(answer.headers.vary).toMatch(/Accept-Encoding/);
    const page = JSON.parse(inflate(answer.body).toString('utf8')) as { changes: unknown[] };
    expect(page.changes).toHaveLength(300);
    if (coding !== 'no coding') expect(answer.body.length).toBeLessThan(JSON.stringify(page).length / 3);
  });

  it('answers an older peer (no Accept-Encoding) and a small page uncompressed', async () => {
    const plain = await rawGet(`${server.url}/api/sync/data/changes?limit=1000`, AUTH);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(plain.body.toString('utf8')) as { changes: unknown[] }).changes).toHaveLength(300);
    const head = source.tracker.info().seq;
    const small = await rawGet(`${server.url}/api/sync/data/changes?since=${head}`, { ...AUTH, 'Accept-Encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toMatchObject({ changes: [], more: false });
  });

  it.each(['gzip', 'br'])('applies a %s-compressed POST', async (coding) => {
    const target = trackedDb();
    try {
      const page = source.tracker.readChanges(0, 1000, target.tracker.siteId);
      const json = Buffer.from(JSON.stringify(page));
      const body = coding === 'gzip' ? zlib.gzipSync(json) : zlib.brotliCompressSync(json);
      const server = await startServer(makeApp({ database: target.db, tables: TABLES }));
      try {
        const answer = await fetch(`${server.url}/api/sync/data/changes`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': coding }, body });
        expect(answer.status).toBe(200);
        expect(await answer.json()).toMatchObject({ received: 300, applied: 300 });
      } finally {
        await server.close();
      }
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
    } finally {
      target.cleanup();
    }
  });

  const bomb = (coding: string): Buffer => {
    const spaces = Buffer.alloc(40 * 1024 * 1024, 0x20);
    return coding === 'gzip' ? zlib.gzipSync(spaces, { level: 9 }) : zlib.brotliCompressSync(spaces);
  };
  it.each([
    ['a gzip bomb', 'gzip', () => bomb('gzip'), 413, 'BODY_TOO_LARGE'],
    ['a brotli bomb', 'br', () => bomb('br'), 413, 'BODY_TOO_LARGE'],
    ['bytes that are not gzip', 'gzip', () => Buffer.from('{"protocol":1}'), 400, 'MALFORMED_BODY'],
    ['bytes that are not brotli', 'br', () => Buffer.from('not brotli at all, just text'), 400, 'MALFORMED_BODY'],
    ['an unknown coding', 'compress', () => Buffer.from('{"protocol":1}'), 415, 'UNSUPPORTED_ENCODING'],
  ])('refuses %s in a POST, applying nothing', async (_name, coding, body, status, code) => {
    const target = trackedDb();
    try {
      const digest = dbDigest(target.db);
      const server = await startServer(makeApp({ database: target.db, tables: TABLES, maxChangesetBytes: 1024 * 1024 }));
      try {
        const answer = await fetch(`${server.url}/api/sync/data/changes`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': coding }, body: body() });
        const error = ((await answer.json()) as { error: { code: string } }).error;
        expect([answer.status, error.code]).toEqual([status, code]);
        expect(dbDigest(target.db)).toBe(digest);
      } finally {
        await server.close();
      }
    } finally {
      target.cleanup();
    }
  });
});

describe('a sync client on a compressed link', () => {
  let source: TempDb & { readonly tracker: ChangeTracker };
  let server: TestServer;
  beforeEach(async () => {
    source = trackedDb();
    addTeams(source.db, 500);
    server = await startServer(makeApp({ database: source.db, tables: TABLES }));
  });
  afterEach(async () => {
    await server.close();
    source.cleanup();
  });

  it.each(['gzip', 'br', 'identity'] as const)('syncs both ways with peerCompression %s, and counts fewer bytes compressed', async (coding) => {
    const fresh = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    addTeams(fresh.db, 200);
    const url = `${server.url}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: tracker, peerCompression: coding, joinBySnapshot: false });
    try {
      const result = await client.syncPeer(url);
      expect(result).toMatchObject({ ok: true, rowsPulled: 500, rowsPushed: 200 });
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
      const bytes = client.wireBytes().get(url)!;
      const json = JSON.stringify(source.tracker.readCompactChanges(0, 5000, tracker.siteId)).length; // the pages' protocol on this link
      if (coding === 'identity') expect(bytes.received).toBeGreaterThan(json * 0.9);
      else expect(bytes.received).toBeLessThan(json / 3);
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });

  it('sends plain JSON again to a peer that refuses compressed bodies (415)', async () => {
    const target = trackedDb();
    const strict = express();
    strict.use((req, res, next) => {
      if (req.headers['content-encoding'] !== undefined) res.status(415).json({ error: { code: 'UNSUPPORTED_ENCODING', message: 'no codings here' } });
      else next();
    });
    strict.use(makeApp({ database: target.db, tables: TABLES }));
    const strictServer = await startServer(strict);
    const url = `${strictServer.url}/api/sync`;
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: source.tracker, peerCompression: 'gzip' });
    try {
      expect(await client.syncPeer(url)).toMatchObject({ ok: true, rowsPushed: 500 });
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
    } finally {
      await client.stop();
      await strictServer.close();
      target.cleanup();
    }
  });
});

describe('a peer answering with a compressed body it should not', () => {
  it.each([
    ['a gzip bomb', { 'Content-Encoding': 'gzip' }, () => zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { level: 9 }), /inflates to more than 1048576 bytes/],
    ['bytes that are not gzip', { 'Content-Encoding': 'gzip' }, () => Buffer.from('{"not":"gzip"}'), /not valid gzip data/],
    ['an unknown coding', { 'Content-Encoding': 'zstd' }, () => Buffer.from('{}'), /unknown Content-Encoding zstd/],
  ])('refuses %s as PEER_BAD_ANSWER', async (_name, headers, body, message) => {
    const hostile = express();
    hostile.get('/api/sync/data/info', (_req, res) => {
      res.set(headers).type('application/json').send(body());
    });
    const server = await startServer(hostile);
    const peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN }, { maxPeerAnswerBytes: 1024 * 1024 });
    try {
      const { dataInfoCheck } = await import('../../lib/data/wire-schema');
      await expect(peer.json('GET', 'data/info', dataInfoCheck)).rejects.toMatchObject({ code: 'PEER_BAD_ANSWER', message: expect.stringMatching(message) });
    } finally {
      peer.close();
      await server.close();
    }
  });
});
