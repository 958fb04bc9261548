import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { SnapshotSource } from '../../lib/data/snapshot-source';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// An app that holds a transaction open on the connection sync uses (BEGIN,
// then an await) must not have a snapshot served or imported from inside it,
// as GET /data/changes is not: the mark a snapshot carries was recorded inside
// the app's transaction (rolled back with it, while the joiner keeps it: the
// sender then takes a new site id at the joiner's first sync); a database not
// in WAL mode answered 500; an import inside it failed with SQLite's
// "database _sync_snapshot is locked" and left the snapshot attached, so the
// next round failed too ("already in use").
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

function marks(db: Database.Database): unknown[] {
  return db.prepare('SELECT seq, mark FROM _sync_marks').all();
}

describe('snapshots while the app holds a transaction open on the sync connection', () => {
  describe.each(['wal', 'delete'])('GET /data/snapshot, journal_mode %s', (mode) => {
    let source: TempDb;
    beforeEach(() => {
      source = tempDb(TEST_SCHEMA);
      source.db.pragma(`journal_mode = ${mode}`);
      enableCapture(source.db, { tables: TABLES });
      addTeams(source.db, 20, 'a');
    });
    afterEach(() => {
      if (source.db.inTransaction) source.db.exec('ROLLBACK');
      source.cleanup();
    });

    it('is 409 IN_TRANSACTION, records no mark, and serves a snapshot once the transaction ended', async () => {
      const app = makeApp({ database: source.db, tables: TABLES });
      source.db.exec("BEGIN; INSERT INTO teams (id, name) VALUES ('uncommitted', 'Ghost')");
      const refused = await request(app).get('/api/sync/data/snapshot').set(AUTH);
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({ error: { code: 'IN_TRANSACTION', message: expect.stringMatching(/transaction open/) as unknown } });
      source.db.exec('ROLLBACK');
      expect(marks(source.db)).toEqual([]);
      expect(existsSync(`${source.file}-syncmark`)).toBe(false);
      const served = await request(app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(served.status).toBe(200);
      expect(marks(source.db)).toEqual([{ seq: Number(served.headers['x-sync-seq']), mark: served.headers['x-sync-mark'] }]);
    });
  });

  describe('SnapshotSource', () => {
    let source: TempDb;
    beforeEach(() => {
      source = tempDb(TEST_SCHEMA);
      enableCapture(source.db, { tables: TABLES });
      addTeams(source.db, 20, 'a');
    });
    afterEach(() => {
      if (source.db.inTransaction) source.db.exec('ROLLBACK');
      source.cleanup();
    });

    it('refuses a snapshot whose build ends while the app holds a transaction open: its mark is never recorded inside it', async () => {
      const snapshots = new SnapshotSource(source.db, TABLES);
      const building = snapshots.acquire();
      source.db.exec('BEGIN'); // before the build, which runs after this synchronous step, ends
      await expect(building).rejects.toMatchObject({ code: 'IN_TRANSACTION', status: 409 });
      source.db.exec('ROLLBACK');
      expect(marks(source.db)).toEqual([]);
      const lease = await snapshots.acquire();
      try {
        expect(marks(source.db)).toEqual([{ seq: lease.seq, mark: lease.mark }]);
      } finally {
        lease.release();
      }
    });
  });

  describe('importing a snapshot', () => {
    let temp: ReturnType<typeof tempDir>;
    let peer: Peer;
    let fresh: TempDb;
    beforeEach(async () => {
      temp = tempDir('ess-h3-tx-');
      peer = await startPeer(temp.dir);
      addTeams(peer.data.db, 30, 'a');
      fresh = tempDb(TEST_SCHEMA);
    });
    afterEach(async () => {
      if (fresh.db.inTransaction) fresh.db.exec('ROLLBACK');
      await peer.server.close();
      peer.data.cleanup();
      fresh.cleanup();
      temp.cleanup();
    });

    it('tracker.importSnapshot is 409 IN_TRANSACTION inside the app\'s transaction, writes nothing, and imports once it ended', async () => {
      const tracker = enableCapture(fresh.db, { tables: TABLES });
      const answer = await request(peer.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      const file = path.join(temp.dir, 'snapshot.sqlite3');
      writeFileSync(file, answer.body as Buffer);
      const expected = { site: String(answer.headers['x-sync-site']), seq: Number(answer.headers['x-sync-seq']) };
      fresh.db.exec('BEGIN');
      expect(() => tracker.importSnapshot(file, expected)).toThrow(expect.objectContaining({ code: 'IN_TRANSACTION', status: 409 }));
      fresh.db.exec('ROLLBACK');
      expect(fresh.db.prepare('PRAGMA database_list').all()).toHaveLength(1); // nothing left attached
      expect(tracker.holdsNoSyncedData()).toBe(true);
      expect(tracker.importSnapshot(file, expected).rows).toBe(30);
      expect(readFileSync(file).length).toBeGreaterThan(0);
    });

    it('a sync round is refused with IN_TRANSACTION, and the next round, once the transaction ended, starts from the snapshot', async () => {
      const client = new SyncClient({ logger: silentLogger, peers: [peer.syncUrl], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 1 });
      try {
        fresh.db.exec('BEGIN');
        const refused = await client.syncPeer(peer.syncUrl);
        expect(refused).toMatchObject({ ok: false, error: { code: 'IN_TRANSACTION' } });
        fresh.db.exec('ROLLBACK');
        const next = await client.syncPeer(peer.syncUrl);
        expect(next).toMatchObject({ ok: true });
        expect(fresh.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(30);
      } finally {
        await client.stop();
      }
    });
  });
});
