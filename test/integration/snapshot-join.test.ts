import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { dbDigest, tableRows, TEST_SCHEMA, tempDb } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, cli, siteOf, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** The database `file` (opened read-only) holds the peer's teams. */
function expectTeamsOf(file: string, peer: Peer): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(tableRows(db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
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
    expect(answer.headers).toMatchObject({ 'content-type': 'application/vnd.sqlite3', 'x-sync-site': siteOf(peer.data.file), 'cache-control': 'no-store', vary: 'Accept-Encoding' });
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
      const tracker = enableCapture(db, { tables: TABLES });
      expect(result.rowsPulled).toBeGreaterThan(0); // written during the join: pulled after the snapshot
      // The peer holds that the new server has all it pulled (its no-echo windows died with the join's process): it pulls none of it back.
      const told = await request(peer.server.app).get(`/api/sync/data/info?site=${result.siteId}`).set(AUTH);
      expect(told.body.cursor).toBe(tracker.info().seq);
      expect(told.body.cursor).toBeGreaterThan(result.snapshotSeq);
      const client = new SyncClient({ logger: silentLogger, peers: [peer.syncUrl], token: TEST_TOKEN, data: tracker });
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
    expectTeamsOf(target, peer);
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

  it('join takes a peer URL without a path (its /api/sync), creates a missing folder, and refuses a name SQLite would take for a side file', async () => {
    const bare = new URL(peer.syncUrl).origin;
    const target = path.join(temp.dir, 'fresh', 'laptop', 'app.db');
    const joined = await cli('join', '--from', bare, '--db', target, '--token', TEST_TOKEN, '--json');
    expect(joined.code).toBe(0);
    expectTeamsOf(target, peer);
    // -syncmark too: the server of the database beside it would write its served mark over the joined file.
    for (const side of ['-wal', '-shm', '-journal', '-syncmark']) {
      const named = path.join(temp.dir, 'fresh', `other.db${side}`);
      const refused = await cli('join', '--from', bare, '--db', named, '--token', TEST_TOKEN);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`named as the ${side} of`)) });
      expect(existsSync(named)).toBe(false);
    }
  });

  it('join refuses an empty path, a dangling symbolic link and a path under a file, before downloading anything, with a clear message', async () => {
    const empty = await cli('join', '--from', peer.syncUrl, '--db', '', '--token', TEST_TOKEN);
    expect(empty).toMatchObject({ code: 1, stderr: expect.stringMatching(/no database path given/) });
    const link = path.join(temp.dir, 'dangling.db');
    symlinkSync(path.join(temp.dir, 'nowhere.db'), link);
    const dangling = await cli('join', '--from', peer.syncUrl, '--db', link, '--token', TEST_TOKEN);
    expect(dangling).toMatchObject({ code: 1, stderr: expect.stringMatching(/dangling\.db exists: join creates a new database/) });
    expect(existsSync(path.join(temp.dir, 'nowhere.db'))).toBe(false);
    writeFileSync(path.join(temp.dir, 'a-file'), 'not a folder');
    const underFile = await cli('join', '--from', peer.syncUrl, '--db', path.join(temp.dir, 'a-file', 'app.db'), '--token', TEST_TOKEN);
    expect(underFile).toMatchObject({ code: 1, stderr: expect.stringMatching(/a-file is not a folder/) });
    expect(readdirSync(temp.dir).filter((name) => name.includes('sync-tmp'))).toEqual([]);
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
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    const client = new SyncClient({ logger: silentLogger, peers: [peer.syncUrl], token: TEST_TOKEN, data: tracker, snapshotMinChanges: 100 });
    client.on('progress', (progress: SyncProgress) => phases.push(progress.phase));
    try {
      const own = siteOf(fresh.file);
      const first = await client.syncPeer(peer.syncUrl);
      expect(first).toMatchObject({ ok: true, rowsPulled: 400, rowsPushed: 0 });
      expect(phases).toContain('snapshot');
      expect(siteOf(fresh.file)).toBe(own);
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
      // The peer was told this server has its parts: it will not pull them back.
      const told = await request(peer.server.app).get(`/api/sync/data/info?site=${own}`).set(AUTH);
      expect(told.body.cursor).toBe(tracker.info().seq);
      // With this server's mark for that seq, so a later rewind of this server is found by the peer's view.
      expect(told.body.you).toEqual({ seq: tracker.info().seq, mark: tracker.readChanges(tracker.info().seq, 1).mark });
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
