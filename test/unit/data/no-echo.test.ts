import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import type { WireChange } from '../../../lib/data/changeset';
import { pullAll, tableRows, trackedDb } from '../../helpers/data';

function addTeams(db: Database.Database, count: number, prefix: string): string[] {
  const ids = Array.from({ length: count }, () => `${prefix}-${randomUUID()}`);
  const insert = db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
  db.transaction(() => ids.forEach((id) => insert.run(id, prefix)))();
  return ids;
}

/** Everything `from` sends `to` from `since` on, page by page, as a push does; the cursor it ends at. */
function sendAll(from: ChangeTracker, to: ChangeTracker, since: number, limit = 1000): { changes: WireChange[]; next: number } {
  const changes: WireChange[] = [];
  let cursor = since;
  for (;;) {
    const page = from.readChangesToSend(cursor, limit, to.siteId);
    changes.push(...page.changes);
    cursor = page.next ?? cursor;
    if (!page.more) return { changes, next: cursor };
  }
}

/** Everything a peer pulling with `exclude_site` is sent by `from` from `since` on, page by page (GET /data/changes). */
function pullPages(from: ChangeTracker, site: string, since: number, limit: number, compact: boolean): { keys: string[]; next: number; pages: number } {
  const got: string[] = [];
  let cursor = since;
  for (let pages = 1; ; pages += 1) {
    if (compact) {
      const page = from.readCompactChanges(cursor, limit, site);
      for (const table of page.tables) for (const row of table.rows) got.push(String(row[0]));
      cursor = page.next ?? cursor;
      if (!page.more) return { keys: got.sort(), next: cursor, pages };
    } else {
      const page = from.readChanges(cursor, limit, site);
      got.push(...page.changes.map((change) => String(change.key[0])));
      cursor = page.next ?? cursor;
      if (!page.more) return { keys: got.sort(), next: cursor, pages };
    }
  }
}

const keys = (changes: readonly WireChange[]): string[] => changes.map((change) => String(change.key[0])).sort();

describe('no echo: a relay never sends a peer back what it received from it', () => {
  const dbs: ReturnType<typeof trackedDb>[] = [];
  const open = (): ReturnType<typeof trackedDb> => {
    const db = trackedDb();
    dbs.push(db);
    return db;
  };
  afterEach(() => dbs.splice(0).forEach((db) => db.cleanup()));

  /** A – B – C where C wrote rows before, between and after two windows it pulled from B (A's rows): `local` are C's own keys, sorted. */
  const windowsAroundLocalRows = (): { b: ReturnType<typeof trackedDb>; c: ReturnType<typeof trackedDb>; local: string[] } => {
    const [a, b, c] = [open(), open(), open()];
    const before = addTeams(c.db, 3, 'c-before');
    addTeams(a.db, 40, 'a1');
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, c.tracker, 7);
    const between = addTeams(c.db, 2, 'c-between');
    addTeams(a.db, 25, 'a2');
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, c.tracker, 7);
    const after = addTeams(c.db, 4, 'c-after');
    return { b, c, local: [...before, ...between, ...after].sort() };
  };

  it('on a chain A – B – C, C sends B nothing of what it pulled from B (A’s rows included)', () => {
    const [a, b, c] = [open(), open(), open()];
    addTeams(a.db, 100, 'a');
    pullAll(a.tracker, b.tracker, 30);
    pullAll(b.tracker, c.tracker, 30);
    const back = sendAll(c.tracker, b.tracker, 0);
    expect(back.changes).toEqual([]);
    expect(back.next).toBe(c.tracker.info().seq);
    // B, asked by A for what A lacks, skips what A pushed into it.
    expect(sendAll(b.tracker, a.tracker, 0).changes).toEqual([]);
  });

  it('sends only the local rows around received windows, before, between and after them', () => {
    const { b, c, local } = windowsAroundLocalRows();
    for (const limit of [1, 3, 1000]) {
      const sent = sendAll(c.tracker, b.tracker, 0, limit);
      expect(keys(sent.changes)).toEqual(local);
      expect(sent.next).toBe(c.tracker.info().seq);
    }
  });

  it.each([false, true])('a pull (GET, compact %s) around received windows is sent only the local rows, before, between and after them', (compact) => {
    const { b, c, local } = windowsAroundLocalRows();
    for (const limit of [1, 3, 1000]) {
      const pulled = pullPages(c.tracker, b.tracker.siteId, 0, limit, compact);
      expect(pulled.keys).toEqual(local);
      expect(pulled.next).toBe(c.tracker.info().seq);
    }
  });

  it('still sends everything to a third server, and everyone converges', () => {
    const [a, b, c] = [open(), open(), open()];
    addTeams(a.db, 20, 'a');
    pullAll(a.tracker, b.tracker);
    expect(sendAll(b.tracker, c.tracker, 0).changes).toHaveLength(20);
    pullAll(b.tracker, c.tracker);
    c.db.prepare("UPDATE teams SET name = 'edited on C' WHERE rowid = 1").run();
    const toB = sendAll(c.tracker, b.tracker, 0);
    expect(toB.changes).toHaveLength(1);
    b.tracker.applyChangeset({ ...c.tracker.readChanges(0, 1000, b.tracker.siteId) });
    pullAll(b.tracker, a.tracker);
    expect(tableRows(a.db, 'teams')).toEqual(tableRows(c.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(c.db, 'teams'));
  });

  it('a peer pulling from its cursor inside a window it sent starts after the window', () => {
    const [a, b, c] = [open(), open(), open()];
    addTeams(a.db, 10, 'a');
    pullAll(a.tracker, b.tracker);
    const seqBefore = c.tracker.info().seq;
    pullAll(b.tracker, c.tracker);
    const local = addTeams(c.db, 1, 'c');
    const page = c.tracker.readChanges(seqBefore + 1, 1000, b.tracker.siteId);
    expect(keys(page.changes)).toEqual(local);
    expect(page).toMatchObject({ since: seqBefore + 1, more: false, next: c.tracker.info().seq });
  });
});
