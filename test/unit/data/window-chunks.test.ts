import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { tempDb, type TempDb } from '../../helpers/data';

/** A wide table (an update writes 62 cells at one seq) and a narrow child table pointing at it. */
const COLUMNS = Array.from({ length: 62 }, (_, i) => `c${i}`);
const SCHEMA = `
CREATE TABLE wide (id TEXT PRIMARY KEY NOT NULL, ${COLUMNS.map((name) => `${name} INTEGER`).join(', ')});
CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, wide_id TEXT REFERENCES wide (id), note TEXT);`;

interface Server extends TempDb {
  readonly tracker: ChangeTracker;
}

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['wide', 'child'] }) };
}

function contents(db: Database.Database): unknown {
  return [db.prepare('SELECT * FROM wide ORDER BY id').all(), db.prepare('SELECT * FROM child ORDER BY id').all()];
}

/** Pages from `from` to `to` (`limit` rows a page); returns how many times each row was sent. */
function pageThrough(from: Server, to: Server, limit: number): Map<string, number> {
  const sent = new Map<string, number>();
  let since = to.tracker.pullCursor(from.tracker.siteId);
  for (let more = true, guard = 0; more; guard += 1) {
    if (guard > 1000) throw new Error('the pages never end');
    const page = from.tracker.readChanges(since, limit, to.tracker.siteId);
    to.tracker.applyChangeset(page);
    for (const change of page.changes) sent.set(`${change.table}:${String(change.key[0])}`, (sent.get(`${change.table}:${String(change.key[0])}`) ?? 0) + 1);
    more = page.more === true;
    since = page.next ?? since;
  }
  return sent;
}

describe('a window read in chunks (more than 4096 births or changed cells)', () => {
  let source: Server;
  beforeEach(() => {
    source = server();
    const insert = source.db.prepare(`INSERT INTO wide (id, ${COLUMNS.join(', ')}) VALUES (?, ${COLUMNS.map(() => '0').join(', ')})`);
    const child = source.db.prepare('INSERT INTO child VALUES (?, ?, ?)');
    source.db.transaction(() => {
      for (let i = 0; i < 200; i += 1) insert.run(`w${i}`);
      for (let i = 0; i < 5000; i += 1) child.run(`c${i}`, `w${i % 200}`, 'first');
    })();
  });
  afterEach(() => source.cleanup());

  it.each([100_000, 4097, 1000])('sends every row once and converges, %i rows a page', (limit) => {
    const target = server();
    try {
      const first = pageThrough(source, target, limit);
      expect(first.size).toBe(5200);
      expect([...first.values()].every((count) => count === 1)).toBe(true);
      expect(contents(target.db)).toEqual(contents(source.db));
      // 150 wide rows updated whole (9,300 cells at 150 seqs), 20 deleted with their children, 4,200 children born after them, some re-pointed.
      source.db.transaction(() => {
        const update = source.db.prepare(`UPDATE wide SET ${COLUMNS.map((name) => `${name} = ${name} + 1`).join(', ')} WHERE id = ?`);
        for (let i = 0; i < 150; i += 1) update.run(`w${i}`);
        for (let i = 180; i < 200; i += 1) {
          source.db.prepare('DELETE FROM child WHERE wide_id = ?').run(`w${i}`);
          source.db.prepare('DELETE FROM wide WHERE id = ?').run(`w${i}`);
        }
        const child = source.db.prepare('INSERT INTO child VALUES (?, ?, ?)');
        for (let i = 0; i < 4200; i += 1) child.run(`n${i}`, `w${i % 180}`, 'later');
        for (let i = 0; i < 300; i += 2) source.db.prepare("UPDATE child SET wide_id = 'w1', note = 'moved' WHERE id = ?").run(`c${i}`);
      })();
      const second = pageThrough(source, target, limit);
      expect(second.size).toBe(150 + 20 + 500 + 4200 + 140); // 10 of the children to re-point were deleted
      expect([...second.values()].every((count) => count === 1)).toBe(true);
      expect(contents(target.db)).toEqual(contents(source.db));
    } finally {
      target.cleanup();
    }
  });
});
