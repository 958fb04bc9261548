import type { ChangeTracker } from '../../../lib/data/change-tracker';
import type { CompactChangeset } from '../../../lib/data/compact-schema';
import { MAX_CL, type WireChangeset } from '../../../lib/data/wire-schema';
import { trackedDb, type TempDb, syncRefusal } from '../../helpers/data';

type Tracked = TempDb & { readonly tracker: ChangeTracker };

/** Every page `from` has, after `to`'s cursor, applied to `to`, in protocol 1 or 2. */
function pullAll(from: ChangeTracker, to: ChangeTracker, protocol: 1 | 2): void {
  for (;;) {
    const since = to.pullCursor(from.siteId);
    const page = protocol === 1 ? from.readChanges(since, 1000, to.siteId) : from.readCompactChanges(since, 1000, to.siteId);
    to.applyChangeset(page);
    if (page.more !== true) return;
  }
}

/** The cl of each row of `teams` the metadata knows, by key. */
function teamCls(server: Tracked): Record<string, number> {
  const rows = server.db.prepare("SELECT r.pk AS id, r.cl AS cl FROM _sync_rows r JOIN _sync_tables t ON t.id = r.tbl WHERE t.name = 'teams' ORDER BY r.pk").all() as { id: string; cl: number }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.cl]));
}


describe('the bound of a causal length (MAX_CL, 2^50)', () => {
  const servers: Tracked[] = [];
  const open = (): Tracked => {
    const server = trackedDb();
    servers.push(server);
    return server;
  };
  afterEach(() => {
    for (const server of servers.splice(0)) server.cleanup();
  });

  it('refuses a change whose cl is above it with 400 naming cl, in protocol 1 and 2, and accepts one just below it', () => {
    const a = open();
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
    const page = a.tracker.readChanges(0, 10);
    const compact = a.tracker.readCompactChanges(0, 10);
    const withCl = (cl: number): WireChangeset => ({ ...page, changes: page.changes.map((change) => ({ ...change, cl })) });
    const compactWithCl = (cl: number): CompactChangeset => ({ ...compact, tables: compact.tables.map((table) => ({ ...table, rows: table.rows.map((row) => { const copy = [...row] as typeof row; copy[1] = cl; return copy; }) })) });

    const tooHigh = syncRefusal(() => open().tracker.applyChangeset(withCl(Number.MAX_SAFE_INTEGER)));
    expect(tooHigh).toMatchObject({ code: 'INVALID_CHANGESET', status: 400 });
    expect(tooHigh.message).toMatch(/cl.*1125899906842624/);
    const compactTooHigh = syncRefusal(() => open().tracker.applyChangeset(compactWithCl(MAX_CL + 1)));
    expect(compactTooHigh).toMatchObject({ code: 'INVALID_CHANGESET', status: 400 });
    expect(compactTooHigh.message).toMatch(/cl 1125899906842625 is above 1125899906842624/);

    const b = open();
    expect(b.tracker.applyChangeset(withCl(MAX_CL - 1))).toMatchObject({ applied: 1 });
    const c = open();
    expect(c.tracker.applyChangeset(compactWithCl(MAX_CL - 1))).toMatchObject({ applied: 1 });
  });

  it.each([1, 2] as const)('a database holding a cl above it from before the bound still sends pages a new peer accepts (protocol %s)', (protocol) => {
    const a = open();
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots'), ('t2', 'Gears')");
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    a.tracker.fold();
    // What the code before the bound could leave: a row deleted at 2^53, one alive at 2^53 - 1.
    a.db.prepare("UPDATE _sync_rows SET cl = ? WHERE pk = 't1'").run(2 ** 53);
    a.db.prepare("UPDATE _sync_rows SET cl = ? WHERE pk = 't2'").run(Number.MAX_SAFE_INTEGER);

    const c = open();
    pullAll(a.tracker, c.tracker, protocol);
    expect(teamCls(c)).toEqual({ t1: MAX_CL, t2: MAX_CL - 1 });
    expect(c.db.prepare('SELECT id FROM teams').pluck().all()).toEqual(['t2']);

    // Local writes at the bound: the fold flips alive and deleted without going above it.
    a.db.exec("DELETE FROM teams WHERE id = 't2'");
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots again')");
    a.tracker.fold();
    expect(teamCls(a)).toEqual({ t1: MAX_CL - 1, t2: MAX_CL });
    const d = open();
    pullAll(a.tracker, d.tracker, protocol);
    expect(d.db.prepare('SELECT id, name FROM teams').all()).toEqual([{ id: 't1', name: 'Robots again' }]);
    pullAll(a.tracker, c.tracker, protocol); // accepted (a row at the bound cannot change existence everywhere: c keeps t1 deleted)
    expect(c.db.prepare('SELECT id FROM teams').all()).toEqual([]);
  });

  it('a row merged deleted at the bound and inserted again locally gets MAX_CL - 1, which its peers accept', () => {
    const x = open();
    x.db.exec("INSERT INTO teams (id, name) VALUES ('t3', 'Bolts')");
    x.db.exec("DELETE FROM teams WHERE id = 't3'");
    const tombstone = x.tracker.readChanges(0, 10);
    const a = open();
    a.tracker.applyChangeset({ ...tombstone, changes: tombstone.changes.map((change) => ({ ...change, cl: MAX_CL })) });
    expect(teamCls(a)).toEqual({ t3: MAX_CL });
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t3', 'Bolts again')");
    const page = a.tracker.readChanges(0, 10);
    expect(page.changes.map((change) => change.cl)).toEqual([MAX_CL - 1]);
    const b = open();
    expect(b.tracker.applyChangeset(page)).toMatchObject({ applied: 1 });
    expect(b.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['Bolts again']);
  });
});

describe('rows whose stored cl is above the bound (a database from before it) on both sides of a link', () => {
  const servers: Tracked[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.cleanup();
  });

  it('still carry every later change: an update, then a delete', () => {
    const a = trackedDb();
    const b = trackedDb();
    servers.push(a, b);
    a.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Gears')");
    pullAll(a.tracker, b.tracker, 2);
    pullAll(b.tracker, a.tracker, 2);
    for (const server of [a, b]) server.db.prepare('UPDATE _sync_rows SET cl = ?').run(Number.MAX_SAFE_INTEGER); // alive, far above MAX_CL
    a.db.exec("UPDATE teams SET name = 'Gears v2' WHERE id = 't1'");
    pullAll(a.tracker, b.tracker, 2);
    expect(b.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['Gears v2']);
    a.db.exec("DELETE FROM teams WHERE id = 't1'");
    pullAll(a.tracker, b.tracker, 1);
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
    expect(teamCls(b)).toEqual({ t1: MAX_CL });
  });
});
