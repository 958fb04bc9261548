import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

// A natural-key row created on two servers before they sync has two births. Every server must end
// with the same state whatever it holds of them: a value a migration later fills into a new column
// of that row (stamped just after the row's birth, lib/data/capture-repair.ts) reaches every server.
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE matches (n INTEGER PRIMARY KEY NOT NULL, label TEXT) WITHOUT ROWID;`;
const TABLES = { tables: ['teams', 'matches'] };

/** Waits until the wall clock is a few milliseconds past now: the next write is stamped later. */
function clockPast(): void {
  const since = Date.now();
  while (Date.now() < since + 5) {
    // a few milliseconds at most
  }
}

function syncToQuiet(trackers: readonly ChangeTracker[]): void {
  for (let round = 0; round < 4; round += 1) {
    for (const to of trackers) for (const from of trackers) if (from !== to) pullAll(from, to);
  }
}

const rows = (db: Database.Database): unknown[] => [
  db.prepare('SELECT id, name, city FROM teams ORDER BY id').raw(true).all(),
  db.prepare('SELECT n, label, city FROM matches ORDER BY n').raw(true).all(),
];
const births = (db: Database.Database): unknown[] => db.prepare('SELECT r.tbl, r.pk, r.hlc, s.site FROM _sync_rows AS r JOIN _sync_sites AS s ON s.id = r.site ORDER BY r.tbl, r.pk').raw(true).all();

describe('a row born on two servers at once, then a column added', () => {
  let dbs: TempDb[] = [];
  afterEach(() => {
    for (const temp of dbs) temp.cleanup();
    dbs = [];
  });

  /** Servers named in order of their births: the first one's is the earliest. */
  function servers(count: number): { temp: TempDb; tracker: ChangeTracker }[] {
    return Array.from({ length: count }, () => {
      const temp = tempDb(SCHEMA);
      dbs.push(temp);
      return { temp, tracker: enableCapture(temp.db, TABLES) };
    });
  }

  function bornOnEach(list: readonly { temp: TempDb }[]): void {
    list.forEach(({ temp }, index) => {
      temp.db.exec(`INSERT INTO teams (id, name) VALUES ('frc971', 'from ${index}'); INSERT INTO matches (n, label) VALUES (7, 'from ${index}')`);
      clockPast();
    });
  }

  /** Stopped, migrated (`fill` after the new column), started again. */
  function migrate(db: Database.Database, fill: string): ChangeTracker {
    db.exec(`ALTER TABLE teams ADD COLUMN city TEXT; ALTER TABLE matches ADD COLUMN city TEXT; ${fill}`);
    return enableCapture(db, TABLES);
  }

  it.each([
    ['the server of the earliest birth', 0],
    ['the server of the later birth', 1],
  ])('a value a migration on %s fills into the new column reaches the other', (_label, filler) => {
    const [a, b] = servers(2) as [{ temp: TempDb; tracker: ChangeTracker }, { temp: TempDb; tracker: ChangeTracker }];
    bornOnEach([a, b]);
    syncToQuiet([a.tracker, b.tracker]);
    const before = (db: Database.Database): unknown[] => db.prepare('SELECT * FROM teams UNION ALL SELECT * FROM matches').raw(true).all();
    expect(before(b.temp.db)).toEqual(before(a.temp.db)); // converged: the later create's values
    const fill = "UPDATE teams SET city = 'Paris'; UPDATE matches SET city = 'Paris'";
    const trackers = [a, b].map(({ temp }, index) => migrate(temp.db, index === filler ? fill : ''));
    syncToQuiet(trackers);
    expect(rows(a.temp.db)).toEqual([[['frc971', 'from 1', 'Paris']], [[7, 'from 1', 'Paris']]]);
    expect(rows(b.temp.db)).toEqual(rows(a.temp.db));
  });

  it('every server of a chain holds the earliest birth, the one that heard it only from the middle too', () => {
    const [a, b, c] = servers(3) as [{ temp: TempDb; tracker: ChangeTracker }, { temp: TempDb; tracker: ChangeTracker }, { temp: TempDb; tracker: ChangeTracker }];
    bornOnEach([a, c, b]); // A earliest, then C, then B
    // A – B – C: C never talks to A.
    for (let round = 0; round < 4; round += 1) {
      pullAll(a.tracker, b.tracker);
      pullAll(b.tracker, a.tracker);
      pullAll(c.tracker, b.tracker);
      pullAll(b.tracker, c.tracker);
    }
    const fill = "UPDATE teams SET city = 'Paris'; UPDATE matches SET city = 'Paris'";
    const ta = migrate(a.temp.db, fill);
    const tb = migrate(b.temp.db, '');
    const tc = migrate(c.temp.db, '');
    for (let round = 0; round < 4; round += 1) {
      pullAll(ta, tb);
      pullAll(tb, ta);
      pullAll(tc, tb);
      pullAll(tb, tc);
    }
    for (const { temp } of [a, b, c]) expect(rows(temp.db)).toEqual([[['frc971', 'from 2', 'Paris']], [[7, 'from 2', 'Paris']]]);
    expect(births(b.temp.db)).toEqual(births(a.temp.db));
    expect(births(c.temp.db)).toEqual(births(a.temp.db));
  });

  it('a row written again whole on its own server (INSERT OR REPLACE) keeps one birth everywhere: a value a migration on another server fills in reaches it', () => {
    const [a, b] = servers(2) as [{ temp: TempDb; tracker: ChangeTracker }, { temp: TempDb; tracker: ChangeTracker }];
    a.temp.db.exec("INSERT INTO teams (id, name) VALUES ('frc971', 'first'); INSERT INTO matches (n, label) VALUES (7, 'first')");
    syncToQuiet([a.tracker, b.tracker]);
    clockPast();
    a.temp.db.exec("INSERT OR REPLACE INTO teams (id, name) VALUES ('frc971', 'again'); INSERT OR REPLACE INTO matches (n, label) VALUES (7, 'again')");
    syncToQuiet([a.tracker, b.tracker]);
    const fill = "UPDATE teams SET city = 'Paris'; UPDATE matches SET city = 'Paris'";
    const trackers = [a, b].map(({ temp }, index) => migrate(temp.db, index === 1 ? fill : ''));
    syncToQuiet(trackers);
    expect(rows(b.temp.db)).toEqual([[['frc971', 'again', 'Paris']], [[7, 'again', 'Paris']]]);
    expect(rows(a.temp.db)).toEqual(rows(b.temp.db));
    expect(births(b.temp.db)).toEqual(births(a.temp.db));
  });
});
