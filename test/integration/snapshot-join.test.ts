import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { dbDigest, tableRows, TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['teams', 'reports'];

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function addTeams(db: Database.Database, count: number, prefix: string): void {
  const insert = db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${randomUUID()}`, `${prefix} ${i}`, i);
  })();
}

interface Peer {
  readonly data: TempDb;
  readonly server: TestServer;
  readonly syncUrl: string;
  readonly roots: Record<string, string>;
}

/** A live peer: a tracked database behind a sync node on 127.0.0.1. */
async function startPeer(dir: string, options: { serveSnapshots?: boolean } = {}): Promise<Peer> {
  const data = tempDb(TEST_SCHEMA);
  const roots = makeRoots(path.join(dir, `roots-${randomUUID()}`));
  const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots, ...options });
  const app = express().use('/api/sync', node.router);
  const server = await startServer(app);
  return { data, server, roots, syncUrl: `${server.url}/api/sync` };
}

function siteOf(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
  } finally {
    db.close();
  }
}

describe('joining from a snapshot', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeEach(async () => {
    temp = tempDir('ess-join-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 300, 'a');
  });
  afterEach(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it('serves a snapshot only with the token, with its hash, site and seq, and never the tables that do not sync', async () => {
    peer.data.db.exec("CREATE TABLE sessions (id TEXT PRIMARY KEY, secret TEXT); INSERT INTO sessions VALUES ('x', 'never leaves')");
    expect((await request(peer.server.app).get('/api/sync/data/snapshot')).status).toBe(401);
    expect((await request(peer.server.app).get('/api/sync/data/snapshot').set({ Authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const answer = await request(peer.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'content-type': 'application/vnd.sqlite3', 'x-sync-site': siteOf(peer.data.file), 'cache-control': 'no-store' });
    const body = answer.body as Buffer;
    expect(body.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect(Number(answer.headers['x-snapshot-bytes'])).toBe(body.length);
    const copy = path.join(temp.dir, 'copy.sqlite3');
    writeFileSync(copy, body);
    const db = new Database(copy, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sessions'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT folded FROM _sync_state').pluck().get()).toBe(Number(answer.headers['x-sync-seq']));
    db.close();
  });

  it('is refused by every file route: never listed, downloaded or uploaded, even inside a root', async () => {
    const lease = await request(peer.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const bytes = lease.body as Buffer;
    writeFileSync(path.join(peer.roots.uploads ?? '', 'snapshot.bin'), bytes);
    const listing = await request(peer.server.app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect((listing.body as { files: unknown[] }).files).toEqual([]);
    const download = await request(peer.server.app).get('/api/sync/files/download?path=uploads/snapshot.bin').set(AUTH);
    expect(download.status).toBe(403);
    const upload = await request(peer.server.app).post('/api/sync/files/upload?path=uploads/other.bin').set(AUTH).attach('file', bytes, 'other.bin');
    expect([upload.status, (upload.body as { error: { code: string } }).error.code]).toEqual([403, 'DB_CONTENT_REFUSED']);
    expect(existsSync(path.join(peer.roots.uploads ?? '', 'other.bin'))).toBe(false);
  });

  it('express-sqlite-sync join: converges with a peer written to during the join, with a new site id and a healthy file', async () => {
    const target = path.join(temp.dir, 'new', 'app.db');
    mkdirSync(path.dirname(target));
    const writer = setInterval(() => addTeams(peer.data.db, 5, 'during'), 5);
    const joined = await cli('join', '--from', peer.syncUrl, '--db', target, '--token', TEST_TOKEN, '--json');
    clearInterval(writer);
    expect(joined).toMatchObject({ code: 0 });
    const result = JSON.parse(joined.stdout) as { siteId: string; peerSite: string; snapshotSeq: number; rowsPulled: number };
    expect(result.peerSite).toBe(siteOf(peer.data.file));
    expect(siteOf(target)).toBe(result.siteId);
    expect(result.siteId).not.toBe(result.peerSite);
    expect(readdirSync(path.dirname(target)).filter((name) => name.includes('sync-tmp'))).toEqual([]);
    const db = new Database(target);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const client = new SyncClient({ logger: silentLogger, peers: [peer.syncUrl], token: TEST_TOKEN, data: enableCapture(db, { tables: TABLES }) });
      const round = await client.syncPeer(peer.syncUrl);
      await client.stop();
      expect(round).toMatchObject({ ok: true, rowsPushed: 0 });
      expect(tableRows(db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
      expect(db.prepare('SELECT DISTINCT s.site FROM _sync_rows AS r JOIN _sync_sites AS s ON s.id = r.site').pluck().all()).toEqual([result.peerSite]);
    } finally {
      db.close();
    }
  });

  it('join --gzip asks for a compressed snapshot and gets the same database', async () => {
    const target = path.join(temp.dir, 'gzip.db');
    const joined = await cli('join', '--from', peer.syncUrl, '--db', target, '--token', TEST_TOKEN, '--gzip', '--json');
    expect(joined.code).toBe(0);
    const db = new Database(target, { readonly: true });
    try {
      expect(tableRows(db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
    } finally {
      db.close();
    }
  });

  it('join never lands on a database that exists, nor beside its -wal, and leaves nothing behind', async () => {
    const live = path.join(temp.dir, 'live.db');
    const db = new Database(live);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE keep (id TEXT PRIMARY KEY); INSERT INTO keep VALUES ('mine')");
    const before = dbDigest(db);
    try {
      const onLive = await cli('join', '--from', peer.syncUrl, '--db', live, '--token', TEST_TOKEN);
      expect(onLive).toMatchObject({ code: 1, stderr: expect.stringMatching(/live\.db exists: join creates a new database and never replaces one/) });
      expect(dbDigest(db)).toBe(before);
      const sideOnly = path.join(temp.dir, 'side.db');
      writeFileSync(`${sideOnly}-wal`, 'a stale wal');
      const onSide = await cli('join', '--from', peer.syncUrl, '--db', sideOnly, '--token', TEST_TOKEN);
      expect(onSide).toMatchObject({ code: 1, stderr: expect.stringMatching(/side\.db-wal exists/) });
      expect(existsSync(sideOnly)).toBe(false);
      expect(readdirSync(temp.dir).filter((name) => name.includes('sync-tmp'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('join says what is wrong with a bad token, and writes nothing', async () => {
    const target = path.join(temp.dir, 'refused.db');
    const wrong = await cli('join', '--from', peer.syncUrl, '--db', target, '--token', 'not-the-right-token-at-all');
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/UNAUTHORIZED|token/) });
    const none = await cli('join', '--from', peer.syncUrl, '--db', target);
    expect(none).toMatchObject({ code: 1, stderr: expect.stringMatching(/no token/) });
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('refused') || name.includes('sync-tmp'))).toEqual([]);
  });

  it('an empty node starts from a snapshot by itself, then syncs page by page', async () => {
    addTeams(peer.data.db, 100, 'b');
    const fresh = tempDb(TEST_SCHEMA);
    const phases: SyncProgress['phase'][] = [];
    const client = new SyncClient({ logger: silentLogger, peers: [peer.syncUrl], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 100 });
    client.on('progress', (progress: SyncProgress) => phases.push(progress.phase));
    try {
      const own = siteOf(fresh.file);
      const first = await client.syncPeer(peer.syncUrl);
      expect(first).toMatchObject({ ok: true, rowsPulled: 400, rowsPushed: 0 });
      expect(phases).toContain('snapshot');
      expect(siteOf(fresh.file)).toBe(own);
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
      phases.length = 0;
      addTeams(peer.data.db, 3, 'c');
      fresh.db.prepare("INSERT INTO teams (id, name) VALUES ('from-fresh', 'written after joining')").run();
      const second = await client.syncPeer(peer.syncUrl);
      expect(second).toMatchObject({ ok: true, rowsPulled: 3, rowsPushed: 1 });
      expect(phases).not.toContain('snapshot');
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });

  it.each([
    ['the peer serves no snapshots (it answers 404: tried, then paged)', { serveSnapshots: false }, {}, true],
    ['joinBySnapshot is off', {}, { joinBySnapshot: false }, false],
    ['the peer has fewer changes than snapshotMinChanges', {}, { snapshotMinChanges: 100_000 }, false],
  ])('pages instead when %s', async (_name, peerOptions, clientOptions, tried) => {
    const other = await startPeer(temp.dir, peerOptions);
    addTeams(other.data.db, 50, 'x');
    const fresh = tempDb(TEST_SCHEMA);
    const phases: string[] = [];
    const client = new SyncClient({ logger: silentLogger, peers: [other.syncUrl], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 1, ...clientOptions });
    client.on('progress', (progress: SyncProgress) => phases.push(progress.phase));
    try {
      expect(await client.syncPeer(other.syncUrl)).toMatchObject({ ok: true, rowsPulled: 50 });
      expect(phases.includes('snapshot')).toBe(tried);
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(other.data.db, 'teams'));
    } finally {
      await client.stop();
      await other.server.close();
      other.data.cleanup();
      fresh.cleanup();
    }
  });
});

/** A peer that answers `/data/info` as `real` does and `/data/snapshot` with a crafted answer. */
async function craftedPeer(real: Peer, answer: (res: http.ServerResponse, snapshot: Buffer, headers: http.IncomingHttpHeaders) => void): Promise<{ url: string; close(): Promise<void> }> {
  const snapshot = await request(real.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const info = await request(real.server.app).get('/api/sync/data/info').set(AUTH);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/sync/data/info') === true) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(info.body));
    } else answer(res, snapshot.body as Buffer, snapshot.headers as http.IncomingHttpHeaders);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendWith(res: http.ServerResponse, headers: http.IncomingHttpHeaders, body: Buffer, changes: Record<string, string> = {}): void {
  const keep = ['content-type', 'x-content-sha256', 'x-sync-site', 'x-sync-seq', 'x-snapshot-bytes'];
  for (const name of keep) res.setHeader(name, String(changes[name] ?? headers[name]));
  res.end(body);
}

describe('joining from a peer that sends a bad snapshot', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-join-bad-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 200, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  const flip = (body: Buffer): Buffer => {
    const copy = Buffer.from(body);
    for (let offset = 4096; offset < copy.length; offset += 61) copy[offset] = (copy[offset] ?? 0) ^ 0x5a;
    return copy;
  };
  const sha = (body: Buffer): string => createHash('sha256').update(body).digest('hex');
  const cases: ReadonlyArray<readonly [string, (res: http.ServerResponse, body: Buffer, headers: http.IncomingHttpHeaders) => void, RegExp]> = [
    ['a wrong SHA-256', (res, body, headers) => sendWith(res, headers, body, { 'x-content-sha256': 'ab'.repeat(32) }), /SNAPSHOT_HASH_MISMATCH|SHA-256/],
    ['a truncated body (the connection drops)', (res, body, headers) => {
      for (const name of ['content-type', 'x-content-sha256', 'x-sync-site', 'x-sync-seq', 'x-snapshot-bytes']) res.setHeader(name, String(headers[name]));
      res.setHeader('Content-Length', String(body.length));
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    }, /broke off|ended after/],
    ['a body shorter than announced', (res, body, headers) => sendWith(res, headers, body.subarray(0, body.length - 4096)), /ended after|SHA-256/],
    ['a body longer than announced', (res, body, headers) => sendWith(res, headers, Buffer.concat([body, Buffer.alloc(4096)])), /longer than/],
    ['a corrupted database with a matching hash', (res, body, headers) => {
      const bad = flip(body);
      sendWith(res, headers, bad, { 'x-content-sha256': sha(bad) });
    }, /not a healthy synced SQLite database/],
    ['no snapshot headers', (res, body) => res.end(body), /X-Content-SHA256/],
    ['a gzip bomb (inflates far past the announced size)', (res, _body, headers) => {
      res.setHeader('Content-Encoding', 'gzip');
      sendWith(res, headers, zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }));
    }, /longer than the \d+ bytes/],
    ['another site than the peer', (res, body, headers) => sendWith(res, headers, body, { 'x-sync-site': 'c'.repeat(32) }), /SNAPSHOT_MISMATCH|snapshot of site|site is/],
  ];

  it.each(cases)('refuses %s, leaving no file behind', async (_name, answer, message) => {
    const crafted = await craftedPeer(peer, answer);
    const dir = path.join(temp.dir, `case-${randomUUID()}`);
    mkdirSync(dir);
    try {
      const result = await cli('join', '--from', crafted.url, '--db', path.join(dir, 'app.db'), '--token', TEST_TOKEN);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await crafted.close();
    }
  });

  it('an empty node that meets a bad snapshot reports it, stays empty, then pages from that peer', async () => {
    const crafted = await craftedPeer(peer, (res, body, headers) => sendWith(res, headers, body, { 'x-content-sha256': 'ab'.repeat(32) }));
    const fresh = tempDb(TEST_SCHEMA);
    const client = new SyncClient({ logger: silentLogger, peers: [crafted.url], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 1 });
    try {
      const before = dbDigest(fresh.db);
      const result = await client.syncPeer(crafted.url);
      expect(result).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_HASH_MISMATCH' } });
      expect(dbDigest(fresh.db)).toBe(before);
      // Reported once; the next round pages from that peer (this crafted one has no pages: it fails otherwise).
      const again = await client.syncPeer(crafted.url);
      expect(again.error?.code).not.toMatch(/^SNAPSHOT_/);
    } finally {
      await client.stop();
      await crafted.close();
      fresh.cleanup();
    }
  });
});
