import { enableCapture } from '../../../lib/data/capture';
import type Database from 'better-sqlite3';
import { tempDb, type TempDb } from '../../helpers/data';

/** A wide table: each row update below writes 62 cells that share one seq. */
const COLUMNS = Array.from({ length: 62 }, (_, i) => `c${i}`);
const SCHEMA = `CREATE TABLE wide (id TEXT PRIMARY KEY NOT NULL, ${COLUMNS.map((name) => `${name} INTEGER`).join(', ')})`;

describe('reading pages of wide rows', () => {
  it('never drops the cells of one seq, however the parts fall against the page size', () => {
    const source = tempDb(SCHEMA);
    const target = tempDb(SCHEMA);
    try {
      const from = enableCapture(source.db, { tables: ['wide'] });
      const to = enableCapture(target.db, { tables: ['wide'] });
      const insert = source.db.prepare(`INSERT INTO wide (id, ${COLUMNS.join(', ')}) VALUES (?, ${COLUMNS.map(() => '0').join(', ')})`);
      for (const id of ['a', 'b', 'c']) insert.run(id);
      to.applyChangeset(from.readChanges(0, 10));
      const cursor = to.pullCursor(from.siteId);
      // One update per row: 3 seqs of 62 cell parts each, read two rows a page.
      for (const id of ['a', 'b', 'c']) source.db.prepare(`UPDATE wide SET ${COLUMNS.map((name) => `${name} = 7`).join(', ')} WHERE id = ?`).run(id);
      for (let since = cursor, more = true; more; ) {
        const page = from.readChanges(since, 2, to.siteId);
        to.applyChangeset(page);
        more = page.more === true;
        since = page.next ?? since;
      }
      const rows = target.db.prepare('SELECT * FROM wide ORDER BY id').all() as Array<Record<string, unknown>>;
      expect(rows.map((row) => COLUMNS.filter((name) => row[name] !== 7))).toEqual([[], [], []]);
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });
});

const TWO_TABLES = `
CREATE TABLE team (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE report (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES team (id), score INTEGER);`;

type Tracker = ReturnType<typeof enableCapture>;

/** Reads every page after `since` for `peer` (`limit` rows a page) and applies each to `into`; returns the rows each page named, and where the last one ended. */
function pageThrough(tracker: Tracker, into: Tracker, limit: number, peer?: string): { rows: Set<string>; sizes: number[]; next: number } {
  const rows = new Set<string>();
  const sizes: number[] = [];
  let cursor = 0;
  for (let more = true, guard = 0; more; guard += 1) {
    if (guard > 1000) throw new Error('the pages never end');
    const page = tracker.readChanges(cursor, limit, peer);
    into.applyChangeset(page);
    sizes.push(page.changes.length);
    for (const change of page.changes) rows.add(`${change.table}:${String(change.key[0])}`);
    more = page.more === true;
    if (more) expect(page.next ?? cursor).toBeGreaterThan(cursor);
    cursor = page.next ?? cursor;
  }
  return { rows, sizes, next: cursor };
}

function contents(db: Database.Database): unknown[] {
  return [db.prepare('SELECT * FROM team ORDER BY id').all(), db.prepare('SELECT * FROM report ORDER BY id').all()];
}

describe('reading pages of several tables', () => {
  it('moves every part, at most `limit` rows a page, when one table has no rows left in the window and another has many', () => {
    const source = tempDb(TWO_TABLES);
    const peer = tempDb(TWO_TABLES);
    const targets: TempDb[] = [];
    try {
      const from = enableCapture(source.db, { tables: ['team', 'report'] });
      const other = enableCapture(peer.db, { tables: ['team', 'report'] });
      source.db.prepare("INSERT INTO team VALUES ('t1', 'one'), ('t2', 'two')").run();
      const report = source.db.prepare('INSERT INTO report VALUES (?, ?, ?)');
      for (let i = 0; i < 40; i += 1) report.run(`r${String(i).padStart(2, '0')}`, i % 2 === 0 ? 't1' : 't2', i);
      // Rows born at the peer, merged here: left out of the pages read for that peer.
      peer.db.prepare("INSERT INTO report VALUES ('p1', NULL, 1), ('p2', NULL, 2)").run();
      from.applyChangeset(other.readChanges(0, 100));
      for (let i = 0; i < 40; i += 4) source.db.prepare('UPDATE report SET score = -1 WHERE id = ?').run(`r${String(i).padStart(2, '0')}`);
      source.db.prepare("UPDATE team SET name = 'uno' WHERE id = 't1'").run();
      source.db.prepare("DELETE FROM report WHERE id = 'r39'").run();
      const fresh = (): Tracker => {
        const target = tempDb(TWO_TABLES);
        targets.push(target);
        return enableCapture(target.db, { tables: ['team', 'report'] });
      };
      const whole = pageThrough(from, fresh(), 1000, other.siteId);
      expect(whole.sizes).toEqual([42]); // 2 teams, 39 live reports and 1 deletion; not the peer's own two rows
      const expected = contents(targets[0]?.db as Database.Database);
      for (const limit of [1, 2, 3, 7, 10]) {
        const paged = pageThrough(from, fresh(), limit, other.siteId);
        expect(paged.sizes.every((size) => size <= limit)).toBe(true);
        expect(paged.rows).toEqual(whole.rows);
        expect(paged.next).toBe(whole.next);
        expect(contents(targets.at(-1)?.db as Database.Database)).toEqual(expected);
      }
      const forAnyone = pageThrough(from, fresh(), 5);
      expect(forAnyone.rows.size).toBe(44);
      expect(forAnyone.sizes.every((size) => size <= 5)).toBe(true);
    } finally {
      for (const db of [source, peer, ...targets]) db.cleanup();
    }
  });
});
