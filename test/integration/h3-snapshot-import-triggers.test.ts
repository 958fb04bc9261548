import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { tableRows, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// README: "A trigger that … derives writes (`updated_at`, totals) should skip
// merges with `WHEN (SELECT applying FROM _sync_state) = 0`: it already ran on
// the origin". A server that starts from a peer's snapshot copies the rows into
// its tables: before, the flag was not set then, so such a trigger ran on every
// row copied, and the new server kept its own stamps (not captured: never
// corrected) where the peer, and a server that paged, held the origin's.
const TABLES = ['note'];

function schema(server: string): string {
  return `
CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, updated_at TEXT);
CREATE TRIGGER note_stamp AFTER INSERT ON note WHEN (SELECT applying FROM _sync_state) = 0
  BEGIN UPDATE note SET updated_at = 'stamped on ${server}' WHERE id = new.id; END;
`;
}

describe('an app trigger that skips merges, on a server that starts from a snapshot', () => {
  let origin: TempDb;
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    origin = tempDb(schema('origin'));
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: origin.db, tables: TABLES });
    server = await startServer(express().use('/api/sync', node.router));
    url = `${server.url}/api/sync`;
    origin.db.exec("INSERT INTO note (id, body) VALUES ('n1', 'first'), ('n2', 'second'), ('n3', 'third')");
  });
  afterAll(async () => {
    await server.close();
    origin.cleanup();
  });

  it.each([
    ['from the snapshot', 1],
    ['page by page', 1_000_000],
  ])('does not run on the rows it copies (%s): the new server holds the origin\'s rows, and its own writes are still stamped', async (_how, snapshotMinChanges) => {
    const fresh = tempDb(schema('fresh'));
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges });
    try {
      expect(await client.syncPeer(url)).toMatchObject({ ok: true, rowsPulled: 3 });
      expect(tableRows(fresh.db, 'note')).toEqual(tableRows(origin.db, 'note'));
      expect(fresh.db.prepare('SELECT applying FROM _sync_state').pluck().get()).toBe(0);
      fresh.db.exec("INSERT INTO note (id, body) VALUES ('n4', 'written on the new server')");
      expect(fresh.db.prepare("SELECT updated_at FROM note WHERE id = 'n4'").pluck().get()).toBe('stamped on fresh');
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });
});

// Page by page, an app trigger's RAISE refuses the page with 409 APPLY_REFUSED naming the trigger
// and the fix. Before, from a snapshot it was SQLite's own SQLITE_CONSTRAINT_TRIGGER, with no hint.
// A RAISE(IGNORE) is refused the same way: before, it skipped the rows, and the snapshot's metadata
// (or the page's) said this server held them.
describe('an app trigger that refuses the rows a snapshot copies', () => {
  let origin: TempDb;
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    origin = tempDb('CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, updated_at TEXT)');
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: origin.db, tables: TABLES });
    server = await startServer(express().use('/api/sync', node.router));
    url = `${server.url}/api/sync`;
    origin.db.exec("INSERT INTO note (id, body) VALUES ('n1', 'first'), ('n2', 'second')");
  });
  afterAll(async () => {
    await server.close();
    origin.cleanup();
  });

  it.each([
    ['ABORT', 'from the snapshot', 1, "ABORT, 'notes are read-only here'", 'notes are read-only here'],
    ['ABORT', 'page by page', 1_000_000, "ABORT, 'notes are read-only here'", 'notes are read-only here'],
    ['IGNORE', 'from the snapshot', 1, 'IGNORE', 'RAISE(IGNORE) skipped the write'],
    ['IGNORE', 'page by page', 1_000_000, 'IGNORE', 'RAISE(IGNORE) skipped the write'],
  ])('RAISE(%s) is APPLY_REFUSED naming the trigger and the fix (%s), and nothing is written', async (_raise, _how, snapshotMinChanges, raise, said) => {
    const fresh = tempDb(`CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, updated_at TEXT);
      CREATE TRIGGER note_read_only BEFORE INSERT ON note WHEN new.id = 'n2' BEGIN SELECT RAISE(${raise}); END;`);
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: tracker, snapshotMinChanges });
    try {
      const round = await client.syncPeer(url);
      expect(round).toMatchObject({ ok: false, error: { code: 'APPLY_REFUSED', message: expect.stringContaining('note_read_only') as unknown } });
      expect(round.error?.message).toContain(said);
      expect(round.error?.message).toContain('WHEN (SELECT applying FROM _sync_state) = 0');
      expect(tracker.holdsNoSyncedData()).toBe(true);
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });
});
