import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { BULK_APPLY_CHANGES, type ChangeTracker } from '../../../lib/data/change-tracker';
import { SyncError } from '../../../lib/sync-error';
import { pullAll, tempDb, TEST_SCHEMA, trackedDb, type TempDb } from '../../helpers/data';

// The capture triggers log every write, a merge's included: what a merge (and
// the constraint settling after it, or after a fold) writes is logged inside
// its write transaction and dropped before it commits (ChangeMerger.#finish,
// VisibleState.applying(false)). These tests hold what that must keep true:
// the log never keeps a merge's or a settling's write, so no such write gets
// a local clock or is sent as this server's own; every local write is kept,
// those made in the caller's transaction around an apply and on another
// connection included; seqs and clocks go on as before.

type Tracked = TempDb & { readonly tracker: ChangeTracker };

/** Every row's clock as `table|pk → cl hlc site` (site ids as their strings, so two databases compare). */
function rowClocks(db: Database.Database): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT t.name AS tbl, r.pk AS pk, r.cl AS cl, r.hlc AS hlc, s.site AS site FROM _sync_rows r
       JOIN _sync_tables t ON t.id = r.tbl JOIN _sync_sites s ON s.id = r.site`,
    )
    .safeIntegers(true)
    .all() as { tbl: string; pk: unknown; cl: bigint; hlc: bigint; site: string }[];
  return new Map(rows.map((row) => [`${row.tbl}|${String(row.pk)}`, `${row.cl} ${row.hlc} ${row.site}`]));
}

/** Every cell clock as `table|pk|column → hlc site`. */
function cellClocks(db: Database.Database): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT t.name AS tbl, c.pk AS pk, k.name AS col, c.hlc AS hlc, s.site AS site FROM _sync_cells c
       JOIN _sync_tables t ON t.id = c.tbl JOIN _sync_columns k ON k.tbl = c.tbl AND k.id = c.col JOIN _sync_sites s ON s.id = c.site`,
    )
    .safeIntegers(true)
    .all() as { tbl: string; pk: unknown; col: string; hlc: bigint; site: string }[];
  return new Map(rows.map((row) => [`${row.tbl}|${String(row.pk)}|${row.col}`, `${row.hlc} ${row.site}`]));
}

/** The clocks of the rows whose key starts with `prefix`. */
function clocksOf(clocks: Map<string, string>, prefix: string): [string, string][] {
  return [...clocks].filter(([key]) => key.split('|')[1]?.startsWith(prefix)).sort();
}

/** Log rows past the folded seq: local writes not folded yet (none may be a merge's or a settling's). */
function unfolded(db: Database.Database): number {
  return db.prepare('SELECT count(*) FROM _sync_log WHERE seq > (SELECT folded FROM _sync_state)').pluck().safeIntegers(false).get() as number;
}

/** The keys of what `from` would send `to` as rows it lacks, from seq 0. */
function sentKeys(from: ChangeTracker, to: string): string[] {
  const page = from.readChanges(0, 100_000, to);
  return page.changes.map((change) => `${change.table}|${String(change.key[0])}|cl${change.cl}`).sort();
}

describe('capture during a merge: the merge’s and the settling’s writes are never captured, local writes always are', () => {
  const open: TempDb[] = [];
  const tracked = (): Tracked => {
    const made = trackedDb();
    open.push(made);
    return made;
  };
  afterEach(() => open.splice(0).forEach((made) => made.cleanup()));

  it('a merge leaves nothing in the log, keeps the sender’s clocks, sends nothing back, and the next local write takes the next seq and a later clock', () => {
    const [a, b] = [tracked(), tracked()];
    const insert = a.db.prepare("INSERT INTO teams (id, name, number) VALUES (?, 'a', ?)");
    for (let i = 0; i < 30; i += 1) insert.run(`a-${String(i).padStart(2, '0')}`, i);
    a.db.exec("UPDATE teams SET name = 'a2' WHERE id IN ('a-03', 'a-07'); DELETE FROM teams WHERE id = 'a-09'");
    pullAll(a.tracker, b.tracker, 7);
    expect(unfolded(b.db)).toBe(0);
    expect(b.db.prepare('SELECT count(*) FROM _sync_log').pluck().get()).toBe(1); // the sentinel only
    expect(clocksOf(rowClocks(b.db), 'a-')).toEqual(clocksOf(rowClocks(a.db), 'a-'));
    expect(clocksOf(cellClocks(b.db), 'a-')).toEqual(clocksOf(cellClocks(a.db), 'a-'));
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual([]);
    const seq = b.tracker.fold();
    const maxApplied = a.db.prepare('SELECT max(hlc) FROM _sync_rows').pluck().safeIntegers(false).get() as number;
    b.db.exec("INSERT INTO teams (id, name) VALUES ('b-1', 'b')");
    const logged = b.db.prepare('SELECT seq, hlc FROM _sync_log ORDER BY seq DESC LIMIT 1').safeIntegers(false).get() as { seq: number; hlc: number };
    expect(logged.seq).toBe(seq + 1);
    expect(logged.hlc).toBeGreaterThan(maxApplied);
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual(['teams|b-1|cl1']);
  });

  it('the same through the bulk path (triggers set aside) and through several pages in one transaction', () => {
    const [a, b, c] = [tracked(), tracked(), tracked()];
    const insert = a.db.prepare("INSERT INTO teams (id, name) VALUES (?, 'a')");
    a.db.transaction(() => {
      for (let i = 0; i < BULK_APPLY_CHANGES + 10; i += 1) insert.run(`a-${String(i).padStart(5, '0')}`);
    })();
    b.tracker.applyChangeset(a.tracker.readChanges(0, 5000, b.tracker.siteId));
    expect(unfolded(b.db)).toBe(0);
    const pages = [0, 1, 2].map((n) => a.tracker.readChanges(n * 100, 100, c.tracker.siteId));
    c.tracker.applyChangesets(pages);
    expect(unfolded(c.db)).toBe(0);
    expect(clocksOf(rowClocks(b.db), 'a-')).toEqual(clocksOf(rowClocks(a.db), 'a-'));
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual([]);
    expect(sentKeys(c.tracker, a.tracker.siteId)).toEqual([]);
  });

  it('a transport’s apply with its cursor (as NATS applies): the echo cursor moves past the page’s writes only, a redelivery changes nothing, the next local write is sent', () => {
    const [a, b] = [tracked(), tracked()];
    b.db.exec("INSERT INTO teams (id, name) VALUES ('b-0', 'b')");
    b.tracker.saveTransportCursor('echo', String(b.tracker.fold()));
    a.db.exec("INSERT INTO teams (id, name) VALUES ('a-1', 'a'), ('a-2', 'a')");
    const page = a.tracker.readChanges(0, 100, b.tracker.siteId);
    const [first] = b.tracker.applyChangesetsWithCursor([page], { name: 'stream', value: '7' }, 'echo');
    expect(first).toMatchObject({ applied: 2 });
    expect(b.tracker.transportCursor('echo')).toBe(String(first?.seq));
    expect(b.tracker.transportCursor('stream')).toBe('7');
    expect(unfolded(b.db)).toBe(0);
    const [again] = b.tracker.applyChangesetsWithCursor([page], { name: 'stream', value: '8' }, 'echo');
    expect(again).toMatchObject({ applied: 0, seq: first?.seq });
    expect(b.tracker.fold()).toBe(first?.seq);
    b.db.exec("INSERT INTO teams (id, name) VALUES ('b-1', 'b')");
    const next = b.tracker.readChanges(Number(b.tracker.transportCursor('echo')), 100);
    expect(next.changes.map((change) => change.key[0])).toEqual(['b-1']);
    expect(clocksOf(rowClocks(b.db), 'a-')).toEqual(clocksOf(rowClocks(a.db), 'a-'));
  });

  /**
   * A and B both know team t; A files report rA, then B files rB claiming the same UNIQUE values (later):
   * pulling A parks B's own rB (the settling deletes it from B's table).
   */
  function parkedOwnRow(): { a: Tracked; b: Tracked; rB: string } {
    const [a, b] = [tracked(), tracked()];
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t', 'team')");
    pullAll(a.tracker, b.tracker);
    a.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('rA', 't', 'm1', 's')");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // B's claim is later on the wall clock
    b.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('rB', 't', 'm1', 's', 7)");
    b.tracker.fold();
    const before = rowClocks(b.db).get('reports|rB');
    pullAll(a.tracker, b.tracker);
    expect(b.tracker.conflictCount()).toBe(1);
    expect(rowClocks(b.db).get('reports|rB')).toBe(before);
    return { a, b, rB: before as string };
  }

  it('the settling after a merge parks a local row: its delete from the table is not captured (the row stays alive everywhere, parked)', () => {
    const { a, b, rB } = parkedOwnRow();
    expect(unfolded(b.db)).toBe(0);
    b.tracker.fold();
    expect(rowClocks(b.db).get('reports|rB')).toBe(rB);
    expect(rB.startsWith('1 ')).toBe(true);
    expect(b.db.prepare("SELECT count(*) FROM reports WHERE id = 'rB'").pluck().get()).toBe(0);
    pullAll(b.tracker, a.tracker);
    expect(a.tracker.conflictCount()).toBe(1);
    expect(rowClocks(a.db)).toEqual(rowClocks(b.db));
    expect(cellClocks(a.db)).toEqual(cellClocks(b.db));
  });

  it('a fold that settles (a local delete frees the value): the parked row comes back uncaptured, the delete is captured', () => {
    const { a, b, rB } = parkedOwnRow();
    b.db.exec("DELETE FROM reports WHERE id = 'rA'");
    b.tracker.fold();
    expect(unfolded(b.db)).toBe(0);
    expect(b.tracker.conflictCount()).toBe(0);
    expect(b.db.prepare("SELECT score FROM reports WHERE id = 'rB'").pluck().get()).toBe(7);
    const clocks = rowClocks(b.db);
    expect(clocks.get('reports|rB')).toBe(rB); // not born again by the unparking insert
    expect(clocks.get('reports|rA')).toMatch(new RegExp(` ${b.tracker.siteId}$`));
    expect(clocks.get('reports|rA')?.startsWith('2 ')).toBe(true);
    pullAll(b.tracker, a.tracker);
    expect(rowClocks(a.db)).toEqual(rowClocks(b.db));
    expect(a.db.prepare("SELECT id FROM reports").pluck().all()).toEqual(['rB']);
  });

  it.each(['restore', 'discard'] as const)('resolveConflict (%s): one local change, the unparking insert is not captured', (action) => {
    const { a, b, rB } = parkedOwnRow();
    const [conflict] = b.tracker.listConflicts();
    const body = action === 'restore' ? { action, values: { scout: 's2' } } : { action };
    const seq = b.tracker.fold();
    const resolved = b.tracker.resolveConflict(String(conflict?.id), body);
    expect(resolved.seq).toBe(seq + 1);
    expect(unfolded(b.db)).toBe(0);
    expect(b.db.prepare('SELECT count(*) FROM _sync_log').pluck().get()).toBe(1);
    const row = rowClocks(b.db).get('reports|rB');
    const cells = clocksOf(cellClocks(b.db), 'rB');
    if (action === 'restore') {
      expect(row).toBe(rB);
      expect(cells.map(([key]) => key)).toEqual(['reports|rB|scout']);
      expect(b.db.prepare("SELECT scout FROM reports WHERE id = 'rB'").pluck().get()).toBe('s2');
    } else {
      expect(row?.startsWith('2 ')).toBe(true);
      expect(cells).toEqual([]);
    }
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual([`reports|rB|cl${action === 'restore' ? 1 : 2}`]);
    pullAll(b.tracker, a.tracker);
    expect(rowClocks(a.db)).toEqual(rowClocks(b.db));
    expect(cellClocks(a.db)).toEqual(cellClocks(b.db));
    expect(a.tracker.conflictCount()).toBe(0);
  });

  it('in the caller’s transaction: writes before and after the apply are captured (in order, with local clocks), the merged rows are not', () => {
    const [a, b, c] = [tracked(), tracked(), tracked()];
    a.db.exec("INSERT INTO teams (id, name) VALUES ('a-1', 'a'), ('a-2', 'a')");
    const page = a.tracker.readChanges(0, 100, b.tracker.siteId);
    // Foreign keys off, as an apply inside the caller's transaction requires when a tracked table has one (IN_TRANSACTION otherwise).
    b.db.pragma('foreign_keys = OFF');
    b.db.transaction(() => {
      b.db.exec("INSERT INTO teams (id, name) VALUES ('b-before', 'b')");
      b.tracker.applyChangeset(page);
      b.db.exec("INSERT INTO teams (id, name) VALUES ('b-after', 'b'); UPDATE teams SET name = 'edited by b' WHERE id = 'a-2'");
      // A refused page inside the same transaction rolls back its own savepoint only.
      const incomplete = { ...a.tracker.readChanges(0, 100), since: 0 };
      (incomplete.changes[0] as { cl: number }).cl = 3;
      delete (incomplete.changes[0] as { cells?: unknown }).cells;
      expect(() => b.tracker.applyChangeset(incomplete)).toThrow(SyncError);
      b.db.exec("INSERT INTO teams (id, name) VALUES ('b-last', 'b')");
    })();
    b.db.pragma('foreign_keys = ON');
    b.tracker.fold();
    expect(unfolded(b.db)).toBe(0);
    const rows = rowClocks(b.db);
    for (const key of ['b-before', 'b-after', 'b-last']) expect(rows.get(`teams|${key}`)).toMatch(new RegExp(`^1 \\d+ ${b.tracker.siteId}$`));
    expect(clocksOf(rows, 'a-')).toEqual(clocksOf(rowClocks(a.db), 'a-'));
    expect([...cellClocks(b.db)]).toEqual([['teams|a-2|name', expect.stringMatching(new RegExp(` ${b.tracker.siteId}$`)) as string]]);
    const born = (key: string): number => b.db.prepare("SELECT born FROM _sync_rows WHERE pk = ?").pluck().safeIntegers(false).get(key) as number;
    expect(born('b-before')).toBeLessThan(born('a-1'));
    expect(born('a-2')).toBeLessThan(born('b-after'));
    expect(born('b-after')).toBeLessThan(born('b-last'));
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual(['teams|a-2|cl1', 'teams|b-after|cl1', 'teams|b-before|cl1', 'teams|b-last|cl1']);
    pullAll(b.tracker, c.tracker);
    pullAll(a.tracker, c.tracker);
    expect(rowClocks(c.db)).toEqual(rowClocks(b.db));
    expect(c.db.prepare("SELECT name FROM teams WHERE id = 'a-2'").pluck().get()).toBe('edited by b');
  });

  it('another connection writing between applies: all its writes are captured, none of the merged rows', () => {
    const [a, b] = [tracked(), tracked()];
    const other = b.connect();
    for (let round = 0; round < 3; round += 1) {
      a.db.exec(`INSERT INTO teams (id, name) VALUES ('a-${round}', 'a')`);
      other.exec(`INSERT INTO teams (id, name) VALUES ('o-${round}', 'other'); UPDATE teams SET name = 'by other' WHERE id = 'a-${round - 1}'`);
      pullAll(a.tracker, b.tracker);
      expect(unfolded(b.db)).toBe(0);
    }
    other.exec("DELETE FROM teams WHERE id = 'a-2'");
    expect(sentKeys(b.tracker, a.tracker.siteId)).toEqual(['teams|a-0|cl1', 'teams|a-1|cl1', 'teams|a-2|cl2', 'teams|o-0|cl1', 'teams|o-1|cl1', 'teams|o-2|cl1']);
    pullAll(b.tracker, a.tracker);
    expect(rowClocks(a.db)).toEqual(rowClocks(b.db));
    expect(cellClocks(a.db)).toEqual(cellClocks(b.db));
  });

  it('on a defaultSafeIntegers(true) connection, an app trigger’s write during a merge stays uncaptured, during a local write it is captured', () => {
    const schema = `${TEST_SCHEMA}
CREATE TABLE audit (id TEXT PRIMARY KEY NOT NULL, what TEXT NOT NULL);
CREATE TRIGGER teams_audit AFTER INSERT ON teams BEGIN INSERT INTO audit (id, what) VALUES ('audit-' || new.id, 'team added'); END;`;
    const made = [tempDb(schema), tempDb(schema)];
    open.push(...made);
    const [a, b] = made.map((temp) => {
      temp.db.defaultSafeIntegers(true);
      return enableCapture(temp.db, { tables: ['teams', 'reports', 'audit'] });
    }) as [ChangeTracker, ChangeTracker];
    const [aDb, bDb] = made.map((temp) => temp.db) as [Database.Database, Database.Database];
    aDb.exec("INSERT INTO teams (id, name, number) VALUES ('a-1', 'a', 9007199254740993)");
    pullAll(a, b);
    expect(unfolded(bDb)).toBe(0);
    // A's own audit row arrived as A's change; B's trigger wrote the same key again during the merge (refused, or
    // written: either way uncaptured). B's local insert fires it too, and that write is captured.
    bDb.exec("INSERT INTO teams (id, name) VALUES ('b-1', 'b')");
    expect(sentKeys(b, a.siteId)).toEqual(['audit|audit-b-1|cl1', 'teams|b-1|cl1']);
    expect(bDb.prepare("SELECT number FROM teams WHERE id = 'a-1'").get()).toEqual({ number: 9007199254740993n });
    pullAll(b, a);
    expect(rowClocks(aDb)).toEqual(rowClocks(bDb));
  });

  it('a database whose capture triggers still test the flag (made by the previous version) is brought up to date at enableCapture and merges the same', () => {
    const b = tempDb(TEST_SCHEMA);
    open.push(b);
    enableCapture(b.db, { tables: ['teams', 'reports'] });
    // The triggers as the previous version made them: WHEN (SELECT applying FROM _sync_state) = 0 on each AFTER trigger
    // (the zero trigger of teams.logo, a column without affinity, came later: left as it is).
    const triggers = b.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_sync\\_%' ESCAPE '\\' AND name NOT LIKE '%\\_zero\\_%' ESCAPE '\\' AND sql LIKE '%AFTER%'").all() as { name: string; sql: string }[];
    expect(triggers.length).toBe(8);
    b.db.transaction(() => {
      for (const { name, sql } of triggers) {
        const old = sql.includes(' WHEN ') ? sql.replace(' WHEN ', ' WHEN (SELECT applying FROM _sync_state) = 0 AND ') : sql.replace(/ON ("?\w+"?)\s*\n?BEGIN/, 'ON $1 WHEN (SELECT applying FROM _sync_state) = 0\nBEGIN');
        expect(old).toContain('applying');
        b.db.exec(`DROP TRIGGER "${name}"; ${old}`);
      }
    })();
    b.db.exec("INSERT INTO teams (id, name) VALUES ('b-old', 'written under the old triggers')");
    b.db.close();
    const db = new Database(b.file);
    const tracker = enableCapture(db, { tables: ['teams', 'reports'] });
    try {
      const after = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_sync\\_%' ESCAPE '\\' AND name NOT LIKE '%\\_zero\\_%' ESCAPE '\\' AND sql LIKE '%AFTER%'").pluck().all() as string[];
      expect(after.length).toBe(8);
      for (const sql of after) expect(sql).not.toContain('applying');
      const a = tracked();
      a.db.exec("INSERT INTO teams (id, name) VALUES ('a-1', 'a')");
      pullAll(a.tracker, tracker);
      expect(unfolded(db)).toBe(0);
      expect(sentKeys(tracker, a.tracker.siteId)).toEqual(['teams|b-old|cl1']);
    } finally {
      db.close();
    }
  });
});
