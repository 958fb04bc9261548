import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { adoptSnapshotFile } from '../../../lib/data/snapshot-adopt';
import { hashFile } from '../../../lib/data/snapshot-file';
import { SnapshotSource, type SnapshotLease } from '../../../lib/data/snapshot-source';
import { dbDigest, pullAll, tableRows, TEST_SCHEMA, trackedDb, tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

const TABLES = ['teams', 'reports'];

function addTeams(db: Database.Database, count: number, prefix: string): void {
  const insert = db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${randomUUID()}`, `${prefix} team ${i}`, i);
  })();
}

function siteOfRows(db: Database.Database): string[] {
  return db.prepare('SELECT DISTINCT s.site FROM _sync_rows AS r JOIN _sync_sites AS s ON s.id = r.site ORDER BY 1').pluck().all() as string[];
}

/** Takes a snapshot of `source` and copies the file to `to` (as a download would), releasing the lease. */
async function snapshotInto(source: TempDb, to: string): Promise<SnapshotLease> {
  const lease = await new SnapshotSource(source.db, TABLES).acquire();
  writeFileSync(to, readFileSync(lease.file));
  lease.release();
  return lease;
}

describe('snapshots of a live database', () => {
  let source: TempDb & { readonly tracker: ChangeTracker };
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    source = trackedDb();
    temp = tempDir('ess-snap-');
    source.db.exec("CREATE TABLE secrets (id TEXT PRIMARY KEY, value TEXT); INSERT INTO secrets VALUES ('s1', 'local only')");
    source.db.exec("CREATE VIEW secret_view AS SELECT value AS SECRETVIEWTEXT FROM secrets; CREATE TRIGGER secret_trigger AFTER INSERT ON secrets BEGIN SELECT 'SECRETTRIGGERTEXT'; END;");
    addTeams(source.db, 50, 'a');
  });
  afterEach(() => {
    source.cleanup();
    temp.cleanup();
  });

  it('holds the tracked tables and the sync metadata, folded, hashed, and never the tables that do not sync', async () => {
    const other = source.connect();
    other.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run('written-elsewhere', 'unfolded');
    const lease = await new SnapshotSource(source.db, TABLES).acquire();
    try {
      expect(lease.site).toBe(source.tracker.siteId);
      expect(lease.seq).toBe(source.tracker.info().seq);
      expect(await hashFile(lease.file)).toEqual({ sha256: lease.sha256, bytes: lease.bytes });
      const copy = new Database(lease.file, { readonly: true });
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(copy.prepare("SELECT name FROM sqlite_schema WHERE name IN ('secrets', 'secret_view', 'secret_trigger')").get()).toBeUndefined();
      const bytes = readFileSync(lease.file).toString('latin1');
      for (const word of ['local only', 'SECRETVIEWTEXT', 'SECRETTRIGGERTEXT']) expect(bytes).not.toContain(word);
      expect(tableRows(copy, 'teams')).toEqual(tableRows(source.db, 'teams'));
      expect(copy.prepare('SELECT count(*) FROM _sync_log WHERE seq > (SELECT folded FROM _sync_state)').pluck().get()).toBe(0);
      copy.close();
    } finally {
      lease.release();
    }
    expect(existsSync(lease.file)).toBe(false);
  });

  it('leaves out full-text (FTS5) and R*Tree tables with their shadow tables, and an app table whose name merely starts with _sync_', async () => {
    source.db.exec("CREATE VIRTUAL TABLE notes_fts USING fts5(body); INSERT INTO notes_fts VALUES ('FTSSECRETWORD')");
    // An FTS index kept up to date by a trigger on a tracked table (the usual pattern), and one trigger that names no dropped table.
    source.db.exec('CREATE TRIGGER teams_fts_ai AFTER INSERT ON teams BEGIN INSERT INTO "NOTES_FTS" (body) VALUES (new.name); END');
    source.db.exec("CREATE TRIGGER teams_kept AFTER UPDATE ON teams BEGIN SELECT 'notes_fts_not_a_name'; END");
    source.db.exec('CREATE VIRTUAL TABLE places USING rtree(id, x0, x1)');
    source.db.exec("CREATE TABLE _sync_secret (value TEXT); INSERT INTO _sync_secret VALUES ('PREFIXEDSECRET')");
    const lease = await new SnapshotSource(source.db, TABLES).acquire();
    try {
      const copy = new Database(lease.file, { readonly: true });
      const names = copy.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'notes_fts%' OR name LIKE 'places%' OR name = '_sync_secret'").pluck().all();
      expect(names).toEqual([]);
      expect(tableRows(copy, 'teams')).toEqual(tableRows(source.db, 'teams'));
      expect(copy.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'teams_%' ORDER BY name").pluck().all()).toEqual(['teams_kept']);
      copy.close();
      // A server started from it can write to the table whose trigger fed the index.
      const started = path.join(temp.dir, 'started.db');
      writeFileSync(started, readFileSync(lease.file));
      const db = new Database(started);
      expect(() => db.prepare("INSERT INTO teams (id, name) VALUES ('after-join', 'x')").run()).not.toThrow();
      db.close();
      const bytes = readFileSync(lease.file).toString('latin1');
      for (const word of ['FTSSECRETWORD', 'PREFIXEDSECRET']) expect(bytes).not.toContain(word);
    } finally {
      lease.release();
    }
  });

  it.each([
    ['in rollback-journal mode', (db: Database.Database) => db.pragma('journal_mode = DELETE')],
    ['in memory', undefined],
  ])('snapshots a database %s too (copied first with the backup API)', async (_name, prepare) => {
    const memory = prepare === undefined ? new Database(':memory:') : undefined;
    const db = memory ?? source.db;
    if (memory !== undefined) {
      memory.exec(TEST_SCHEMA);
      enableCapture(memory, { tables: TABLES });
      addTeams(memory, 20, 'm');
    } else prepare?.(db);
    try {
      const lease = await new SnapshotSource(db, TABLES).acquire();
      const copy = new Database(lease.file, { readonly: true });
      expect(tableRows(copy, 'teams')).toEqual(tableRows(db, 'teams'));
      copy.close();
      lease.release();
    } finally {
      memory?.close();
    }
  });

  it('shares one snapshot between requests that overlap, and removes it after the last', async () => {
    const snapshots = new SnapshotSource(source.db, TABLES);
    const [first, second] = await Promise.all([snapshots.acquire(), snapshots.acquire()]);
    expect(second.file).toBe(first.file);
    first.release();
    expect(existsSync(first.file)).toBe(true);
    second.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(first.file)).toBe(false);
  });

  it('adopted as a file: a new site id, the sender keeps its rows and clocks, then only later changes are pulled', async () => {
    const file = path.join(temp.dir, 'joined.db');
    const lease = await snapshotInto(source, file);
    const adopted = adoptSnapshotFile(file, { site: lease.site, seq: lease.seq });
    expect(adopted).toMatchObject({ peerSite: source.tracker.siteId, seq: lease.seq, tables: TABLES });
    expect(adopted.siteId).not.toBe(source.tracker.siteId);
    const joined = new Database(file);
    try {
      expect(siteOfRows(joined)).toEqual([source.tracker.siteId]);
      const tracker = enableCapture(joined, { tables: TABLES });
      expect(tracker.siteId).toBe(adopted.siteId);
      expect(tracker.pullCursor(source.tracker.siteId)).toBe(lease.seq);
      expect(tracker.readChanges(tracker.pushCursor(source.tracker.siteId), 1000, source.tracker.siteId).changes).toEqual([]);
      addTeams(source.db, 5, 'later');
      const page = source.tracker.readChanges(lease.seq, 1000, tracker.siteId);
      expect(page.changes).toHaveLength(5);
      tracker.applyChangeset(page);
      joined.prepare("UPDATE teams SET name = 'renamed on the new server' WHERE number = 3").run();
      pullAll(tracker, source.tracker);
      expect(tableRows(joined, 'teams')).toEqual(tableRows(source.db, 'teams'));
      expect(source.db.prepare('SELECT name FROM teams WHERE number = 3').pluck().all()).toContain('renamed on the new server');
    } finally {
      joined.close();
    }
  });

  it('imported into an empty live database: same rows, the sender keeps its site, seqs go past the old ones', async () => {
    // A database whose seq is past 0 with no synced row: it tracked a table once, then stopped.
    const target = tempDb(`${TEST_SCHEMA} CREATE TABLE old_notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);`);
    try {
      enableCapture(target.db, { tables: [...TABLES, 'old_notes'] });
      target.db.exec("INSERT INTO old_notes VALUES ('n1', 'tracked once'), ('n2', 'tracked once')");
      const tracker = enableCapture(target.db, { tables: TABLES });
      const file = path.join(temp.dir, 'snapshot.sqlite3');
      const lease = await snapshotInto(source, file);
      expect(tracker.holdsNoSyncedData()).toBe(true);
      const seqBefore = tracker.info().seq;
      expect(seqBefore).toBeGreaterThan(0);
      const result = tracker.importSnapshot(file, { site: lease.site, seq: lease.seq });
      expect(result).toEqual({ rows: 50, seq: lease.seq, localSeq: seqBefore + lease.seq });
      expect(tracker.holdsNoSyncedData()).toBe(false);
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
      expect(siteOfRows(target.db)).toEqual([source.tracker.siteId]);
      expect(tracker.pullCursor(source.tracker.siteId)).toBe(lease.seq);
      expect(tracker.info().seq).toBe(seqBefore + lease.seq);
      // A peer that had pulled everything from the target before misses nothing.
      expect(tracker.readChanges(seqBefore, 1000).changes).toHaveLength(50);
      addTeams(source.db, 3, 'later');
      target.db.prepare("INSERT INTO teams (id, name) VALUES ('local', 'written on the new server')").run();
      pullAll(source.tracker, tracker);
      pullAll(tracker, source.tracker);
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
      expect(tracker.readChanges(lease.seq + seqBefore, 1000, source.tracker.siteId).changes.map((change) => change.key[0])).toEqual(['local']);
    } finally {
      target.cleanup();
    }
  });

  /** Adds a schema object to a snapshot file, as a hostile sender would. */
  function plant(file: string, sql: string): void {
    const db = new Database(file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  }

  const hostile: ReadonlyArray<readonly [string, (file: string) => void, { site?: string; seq?: number }, string]> = [
    ['a truncated file', (file) => truncateSync(file, 4096 * 2), {}, 'SNAPSHOT_CORRUPT'],
    ['a file with flipped bytes', (file) => flipBytes(file), {}, 'SNAPSHOT_CORRUPT'],
    ['a file that is not a database', (file) => writeFileSync(file, 'not a database at all'), {}, 'SNAPSHOT_CORRUPT'],
    ['a database without sync metadata', (file) => writeFileSync(file, emptyDatabaseBytes()), {}, 'SNAPSHOT_CORRUPT'],
    ['a table its sender does not track', (file) => plant(file, 'CREATE TABLE planted (x)'), {}, 'SNAPSHOT_CORRUPT'],
    ['a view', (file) => plant(file, 'CREATE VIEW planted AS SELECT 1'), {}, 'SNAPSHOT_CORRUPT'],
    ['another site than announced', () => undefined, { site: 'f'.repeat(32) }, 'SNAPSHOT_MISMATCH'],
    ['another seq than announced', () => undefined, { seq: 1 }, 'SNAPSHOT_MISMATCH'],
  ];

  it.each(hostile)('refuses %s, as a file or into a live database, writing nothing', async (_name, damage, announced, code) => {
    const file = path.join(temp.dir, 'snapshot.sqlite3');
    const lease = await snapshotInto(source, file);
    damage(file);
    const expected = { site: announced.site ?? lease.site, seq: announced.seq ?? lease.seq };
    const before = readFileSync(file);
    expect(() => adoptSnapshotFile(file, expected)).toThrow(expect.objectContaining({ code }));
    expect(readFileSync(file).equals(before) || code === 'SNAPSHOT_MISMATCH').toBe(true);
    const target = trackedDb();
    try {
      const digest = dbDigest(target.db);
      expect(() => target.tracker.importSnapshot(file, expected)).toThrow(expect.objectContaining({ code }));
      expect(dbDigest(target.db)).toBe(digest);
    } finally {
      target.cleanup();
    }
  });

  it('never imports into a database that holds synced rows, nor one of another schema', async () => {
    const file = path.join(temp.dir, 'snapshot.sqlite3');
    const lease = await snapshotInto(source, file);
    const expected = { site: lease.site, seq: lease.seq };
    const full = trackedDb();
    const other = tempDb(TEST_SCHEMA.replace('notes TEXT,', 'notes TEXT, extra TEXT,'));
    try {
      full.db.exec("INSERT INTO teams (id, name) VALUES ('mine', 'already here')");
      const digest = dbDigest(full.db);
      expect(() => full.tracker.importSnapshot(file, expected)).toThrow(expect.objectContaining({ code: 'NOT_EMPTY' }));
      expect(dbDigest(full.db)).toBe(digest);
      const tracker = enableCapture(other.db, { tables: TABLES });
      const otherDigest = dbDigest(other.db);
      expect(() => tracker.importSnapshot(file, expected)).toThrow(expect.objectContaining({ code: 'SNAPSHOT_MISMATCH' }));
      expect(dbDigest(other.db)).toBe(otherDigest);
    } finally {
      full.cleanup();
      other.cleanup();
    }
  });
});

function flipBytes(file: string): void {
  const bytes = readFileSync(file);
  for (let offset = 4096; offset < bytes.length; offset += 97) bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
  writeFileSync(file, bytes);
}

function emptyDatabaseBytes(): Buffer {
  const temp = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY)');
  try {
    temp.db.pragma('journal_mode = DELETE');
    temp.db.close();
    return readFileSync(temp.file);
  } finally {
    temp.cleanup();
  }
}
