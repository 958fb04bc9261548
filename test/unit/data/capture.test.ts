import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { dbDigest, TEST_SCHEMA, tempDb, trackedDb, type TempDb } from '../../helpers/data';

interface RowMetaRow {
  pk: string;
  cl: number;
  hlc: number;
  site: number;
  born: number;
}

function rowMeta(temp: TempDb, table: string, pk: string): RowMetaRow | undefined {
  return temp.db
    .prepare('SELECT r.pk, r.cl, r.hlc, r.site, r.born FROM _sync_rows r JOIN _sync_tables t ON t.id = r.tbl WHERE t.name = ? AND r.pk = ?')
    .get(table, pk) as RowMetaRow | undefined;
}

function cellColumns(temp: TempDb, table: string, pk: string): string[] {
  return (
    temp.db
      .prepare(
        `SELECT c.name FROM _sync_cells s JOIN _sync_tables t ON t.id = s.tbl JOIN _sync_columns c ON c.tbl = s.tbl AND c.id = s.col
         WHERE t.name = ? AND s.pk = ? ORDER BY c.name`,
      )
      .pluck()
      .all(table, pk) as string[]
  ).sort();
}


describe('enableCapture: what the triggers record', () => {
  let temp: ReturnType<typeof trackedDb>;
  beforeEach(() => {
    temp = trackedDb();
  });
  afterEach(() => temp.cleanup());

  it('captures an insert with a birth clock of about now', () => {
    const low = Date.now() * 1024;
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    const high = (Date.now() + 1) * 1024;
    temp.tracker.fold();
    const meta = rowMeta(temp, 'teams', 't1');
    expect(meta).toMatchObject({ cl: 1, site: 0 });
    expect(meta!.hlc).toBeGreaterThanOrEqual(low);
    expect(meta!.hlc).toBeLessThan(high);
    expect(cellColumns(temp, 'teams', 't1')).toEqual([]);
  });

  it('captures an update of only the columns that really changed, with a later clock', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    temp.db.exec("UPDATE teams SET name = 'Bots', number = 254, rating = 1.5 WHERE id = 't1'");
    temp.tracker.fold();
    expect(cellColumns(temp, 'teams', 't1')).toEqual(['name']);
    const birth = rowMeta(temp, 'teams', 't1')!.hlc;
    const cell = temp.db.prepare('SELECT hlc FROM _sync_cells').pluck().get() as number;
    expect(cell).toBeGreaterThan(birth);
  });

  it('records nothing for an update that changes nothing', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    temp.tracker.fold();
    const before = dbDigest(temp.db);
    temp.db.exec("UPDATE teams SET name = 'Robots' WHERE id = 't1'");
    temp.tracker.fold();
    expect(dbDigest(temp.db)).toBe(before);
  });

  it('captures a delete as a higher, even causal length and drops the cell clocks', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    temp.db.exec("UPDATE teams SET name = 'Bots' WHERE id = 't1'");
    temp.db.exec("DELETE FROM teams WHERE id = 't1'");
    temp.tracker.fold();
    expect(rowMeta(temp, 'teams', 't1')).toMatchObject({ cl: 2 });
    expect(cellColumns(temp, 'teams', 't1')).toEqual([]);
  });

  it('captures a delete then a re-insert as causal length 3', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    temp.db.exec("DELETE FROM teams WHERE id = 't1'");
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Again', 1, NULL, NULL)");
    temp.tracker.fold();
    expect(rowMeta(temp, 'teams', 't1')).toMatchObject({ cl: 3 });
    const changes = temp.tracker.readChanges(0, 10).changes;
    expect(changes).toEqual([expect.objectContaining({ table: 'teams', key: ['t1'], cl: 3, cells: { name: 'Again', number: 1, rating: null, logo: null } })]);
  });

  it('folds a log of inserts only as a bulk load, and one by one when a row is logged twice or already known', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL), ('t2', 'Bots', 1, NULL, NULL)");
    temp.tracker.fold();
    expect([rowMeta(temp, 'teams', 't1')?.cl, rowMeta(temp, 'teams', 't2')?.cl]).toEqual([1, 1]);
    // Logged twice (a REPLACE over its own key), and a known row born again after a fold of its delete.
    temp.db.exec("INSERT INTO teams VALUES ('t3', 'New', 3, NULL, NULL); INSERT OR REPLACE INTO teams VALUES ('t3', 'Newer', 3, NULL, NULL)");
    temp.db.exec("DELETE FROM teams WHERE id = 't2'");
    temp.tracker.fold();
    temp.db.exec("INSERT INTO teams VALUES ('t2', 'Again', 2, NULL, NULL)");
    temp.tracker.fold();
    expect([rowMeta(temp, 'teams', 't2')?.cl, rowMeta(temp, 'teams', 't3')?.cl]).toEqual([3, 1]);
    const page = temp.tracker.readChanges(0, 100);
    expect(page.changes.filter((change) => change.table === 'teams').map((change) => [change.key[0], change.cl, change.cells?.name])).toEqual([
      ['t1', 1, 'Robots'],
      ['t3', 1, ['Newer', expect.any(Number), 0]], // written again whole: the same life, its birth kept, every cell at the REPLACE's clock
      ['t2', 3, 'Again'],
    ]);
  });

  it('captures a primary-key change as a delete of the old key plus an insert of the new one', () => {
    temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
    temp.db.exec("UPDATE teams SET id = 't9', name = 'Renamed' WHERE id = 't1'");
    temp.tracker.fold();
    const old = rowMeta(temp, 'teams', 't1')!;
    const moved = rowMeta(temp, 'teams', 't9')!;
    expect([old.cl, moved.cl]).toEqual([2, 1]);
    expect(moved.hlc).toBeGreaterThan(old.hlc);
    expect(temp.tracker.readChanges(0, 10).changes).toEqual([
      expect.objectContaining({ key: ['t1'], cl: 2 }),
      expect.objectContaining({ key: ['t9'], cl: 1, cells: { name: 'Renamed', number: 254, rating: 1.5, logo: null } }),
    ]);
  });

  it('captures a write from a second connection that has no functions registered', () => {
    const other = new Database(temp.file);
    try {
      other.pragma('busy_timeout = 2000');
      other.exec("INSERT INTO teams VALUES ('t7', 'From the shell', 7, NULL, NULL)");
      other.exec("UPDATE teams SET number = 8 WHERE id = 't7'");
    } finally {
      other.close();
    }
    const changes = temp.tracker.readChanges(0, 10).changes;
    expect(changes).toEqual([expect.objectContaining({ table: 'teams', key: ['t7'], cl: 1, cells: expect.objectContaining({ name: 'From the shell', number: [8, expect.any(Number), 0] }) })]);
  });

  it('does not re-capture the writes a merge makes, and keeps the merge out of the local log', () => {
    const peer = trackedDb();
    try {
      peer.db.exec("INSERT INTO teams VALUES ('t1', 'Remote', 1, NULL, NULL)");
      temp.tracker.applyChangeset(peer.tracker.readChanges(0, 10));
      expect(temp.db.prepare('SELECT count(*) FROM _sync_log WHERE op <> 0').pluck().get()).toBe(0);
      expect(rowMeta(temp, 'teams', 't1')).toMatchObject({ cl: 1 });
      expect(rowMeta(temp, 'teams', 't1')!.site).not.toBe(0);
      // What came from the peer is not sent back to it, but is forwarded to a third server.
      expect(temp.tracker.readChanges(0, 10, peer.tracker.siteId).changes).toEqual([]);
      expect(temp.tracker.readChanges(0, 10).changes).toHaveLength(1);
    } finally {
      peer.cleanup();
    }
  });

  it('raises the local clock past every remote clock it applies', () => {
    const peer = trackedDb();
    try {
      peer.db.exec("INSERT INTO teams VALUES ('t1', 'Remote', 1, NULL, NULL)");
      const page = peer.tracker.readChanges(0, 10);
      const ahead = (Date.now() + 120_000) * 1024;
      page.changes[0]!.hlc = ahead;
      temp.tracker.applyChangeset(page);
      temp.db.exec("INSERT INTO teams VALUES ('t2', 'Local', 2, NULL, NULL)");
      temp.tracker.fold();
      expect(rowMeta(temp, 'teams', 't2')!.hlc).toBeGreaterThan(ahead);
    } finally {
      peer.cleanup();
    }
  });
});

describe('enableCapture: setup', () => {
  it('backfills rows that existed before capture, so a new peer receives them', () => {
    const source = tempDb(TEST_SCHEMA);
    const target = trackedDb();
    try {
      source.db.exec("INSERT INTO teams VALUES ('old', 'Existing', 1, NULL, NULL)");
      const tracker = enableCapture(source.db, { tables: ['teams', 'reports'] });
      target.tracker.applyChangeset(tracker.readChanges(0, 10));
      expect(target.db.prepare('SELECT id, name FROM teams').all()).toEqual([{ id: 'old', name: 'Existing' }]);
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });

  it('is harmless when called twice', () => {
    const temp = trackedDb();
    try {
      temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
      temp.tracker.fold();
      const before = dbDigest(temp.db);
      const again = enableCapture(temp.db, { tables: ['teams', 'reports'] });
      expect(dbDigest(temp.db)).toBe(before);
      expect(again.siteId).toBe(temp.tracker.siteId);
      expect(again.schema.fingerprint).toBe(temp.tracker.schema.fingerprint);
    } finally {
      temp.cleanup();
    }
  });

  it('called again with writes not folded yet (a restart), logs no second birth for them', () => {
    const temp = trackedDb();
    try {
      temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL); INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'ann')");
      const logged = temp.db.prepare('SELECT pk, hlc FROM _sync_log WHERE op = 1 ORDER BY seq').all();
      const again = enableCapture(temp.db, { tables: ['teams', 'reports'] });
      expect(again.fold()).toBe(2);
      expect(temp.db.prepare('SELECT pk, hlc FROM _sync_rows ORDER BY born').all()).toEqual(logged);
    } finally {
      temp.cleanup();
    }
  });

  it('after ALTER TABLE … ADD COLUMN, one call re-creates the triggers and the fingerprint', () => {
    const temp = trackedDb();
    try {
      temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
      temp.db.exec('ALTER TABLE teams ADD COLUMN coach TEXT');
      const tracker = enableCapture(temp.db, { tables: ['teams', 'reports'] });
      expect(tracker.schema.fingerprint).not.toBe(temp.tracker.schema.fingerprint);
      expect(tracker.schema.tables.teams).toContainEqual(['coach', 'TEXT', 0]);
      const since = tracker.info().seq;
      temp.db.exec("UPDATE teams SET coach = 'Ada' WHERE id = 't1'");
      expect(tracker.readChanges(since, 10).changes).toEqual([expect.objectContaining({ key: ['t1'], cells: { coach: ['Ada', expect.any(Number), 0] } })]);
    } finally {
      temp.cleanup();
    }
  });

  it('stops tracking a table left out of the list', () => {
    const temp = trackedDb();
    try {
      const tracker = enableCapture(temp.db, { tables: ['teams'] });
      temp.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL); INSERT INTO reports (id, team_id, match, scout) VALUES ('r1', 't1', 'Q1', 'x')");
      expect(tracker.readChanges(0, 10).changes.map((change) => change.table)).toEqual(['teams']);
      expect(tracker.info().tables).toEqual(['teams']);
    } finally {
      temp.cleanup();
    }
  });
});
