import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { dbDigest, pullAll, tempDb, trackedDb, type TempDb } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

type Tracked = ReturnType<typeof trackedDb>;

/** Two servers where B's report clashes with A's earlier one: B's is parked on both. */
function clash(): { a: Tracked; b: Tracked; id: string } {
  const [a, b] = [trackedDb(), trackedDb()];
  a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
  pullAll(a.tracker, b.tracker);
  a.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('ra', 't1', 'Q1', 'ann', 1)");
  nextMillisecond();
  b.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('rb', 't1', 'Q1', 'ann', 2)");
  pullAll(a.tracker, b.tracker);
  pullAll(b.tracker, a.tracker);
  const [entry] = a.tracker.listConflicts();
  if (entry === undefined) throw new Error('no conflict');
  expect(b.tracker.listConflicts()[0]?.id).toBe(entry.id);
  return { a, b, id: entry.id };
}

function reports(server: Tracked): unknown[] {
  return server.db.prepare('SELECT id, scout, score FROM reports ORDER BY id').all();
}

describe('resolving a conflict is a replicated write', () => {
  let a: Tracked;
  let b: Tracked;
  let id: string;
  beforeEach(() => {
    ({ a, b, id } = clash());
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('discard deletes the parked row on every server', () => {
    const result = a.tracker.resolveConflict(id, { action: 'discard' });
    expect(result).toEqual({ id, action: 'discard', seq: expect.any(Number) });
    pullAll(a.tracker, b.tracker);
    for (const server of [a, b]) {
      expect(server.tracker.listConflicts()).toEqual([]);
      expect(reports(server)).toEqual([{ id: 'ra', scout: 'ann', score: 1 }]);
    }
  });

  it('restore with edited values brings the row back on every server', () => {
    b.tracker.resolveConflict(id, { action: 'restore', values: { scout: 'bo' } });
    pullAll(b.tracker, a.tracker);
    for (const server of [a, b]) {
      expect(server.tracker.conflictCount()).toBe(0);
      expect(reports(server)).toEqual([
        { id: 'ra', scout: 'ann', score: 1 },
        { id: 'rb', scout: 'bo', score: 2 },
      ]);
    }
  });

  it('restore with values that still clash is refused with 409 STILL_CONFLICTS, writing nothing', () => {
    const before = dbDigest(a.db);
    expect(() => a.tracker.resolveConflict(id, { action: 'restore', values: { score: 7 } })).toThrow(expect.objectContaining({ code: 'STILL_CONFLICTS', status: 409 }));
    expect(dbDigest(a.db)).toBe(before);
  });

  it('an unknown id is 404 CONFLICT_NOT_FOUND; a very long one is not echoed whole', () => {
    expect(() => a.tracker.resolveConflict('0123456789abcdef', { action: 'discard' })).toThrow(expect.objectContaining({ code: 'CONFLICT_NOT_FOUND', status: 404 }));
    let message = '';
    try {
      a.tracker.resolveConflict('x'.repeat(5000), { action: 'discard' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/… \(5000 characters\)/);
    expect(message.length).toBeLessThan(300);
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['an array', []],
    ['an unknown action', { action: 'merge' }],
    ['extra fields', { action: 'discard', values: {} }],
    ['values that are not an object', { action: 'restore', values: 'bo' }],
    ['a restore without values', { action: 'restore' }],
    ['an unknown column', { action: 'restore', values: { nope: 1 } }],
    ['a key column', { action: 'restore', values: { id: 'rc' } }],
    ['a value of no wire form', { action: 'restore', values: { score: { $int: 'x' } } }],
    ['an integer beyond 2^53 as a number', { action: 'restore', values: { score: 2 ** 60 } }],
    ['NULL for a NOT NULL column', { action: 'restore', values: { scout: null } }],
    ['a prototype key', JSON.parse('{"action":"restore","values":{"__proto__":1}}')],
  ])('%s is 400 INVALID_RESOLUTION and changes nothing', (_name, body) => {
    const before = dbDigest(a.db);
    expect(() => a.tracker.resolveConflict(id, body)).toThrow(expect.objectContaining({ code: 'INVALID_RESOLUTION', status: 400 }));
    expect(dbDigest(a.db)).toBe(before);
  });
});

describe('a restore into a STRICT table', () => {
  const SCHEMA = 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, name TEXT UNIQUE, n INTEGER NOT NULL CHECK (n >= 0), b BLOB, x ANY) STRICT';
  let servers: (TempDb & { readonly tracker: ChangeTracker })[];
  let id: string;
  beforeEach(() => {
    servers = [tempDb(SCHEMA), tempDb(SCHEMA)].map((temp) => ({ ...temp, tracker: enableCapture(temp.db, { tables: ['t'] }) }));
    const [a, b] = servers as [Tracked, Tracked];
    a.db.exec("INSERT INTO t VALUES ('a1', 'x', 1, NULL, NULL)");
    nextMillisecond();
    b.db.exec("INSERT INTO t VALUES ('b1', 'x', 2, NULL, NULL)");
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
    id = a.tracker.listConflicts()[0]?.id ?? '';
  });
  afterEach(() => {
    for (const server of servers) server.cleanup();
  });

  it.each<[string, Record<string, unknown>]>([
    ['TEXT in an INTEGER column', { name: 'y', n: 'abc' }],
    ['a fraction in an INTEGER column', { name: 'y', n: 1.5 }],
    ['TEXT in a BLOB column', { name: 'y', b: 'text' }],
    ['a BLOB in a TEXT column', { name: { $blob: 'AAE=' } }],
  ])('%s is 400 INVALID_RESOLUTION naming the column (not 409 "still parked: CHECK"), and changes nothing', (_name, values) => {
    const a = servers[0] as Tracked;
    const before = dbDigest(a.db);
    expect(() => a.tracker.resolveConflict(id, { action: 'restore', values } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_RESOLUTION', status: 400, message: expect.stringMatching(/^values\.(n|b|name): cannot store [A-Z]+ value in [A-Z]+ column t\.(n|b|name) \(a STRICT table\)$/) }),
    );
    expect(dbDigest(a.db)).toBe(before);
  });

  it('values the column converts losslessly (3.0, "4" in INTEGER) or an ANY column takes are restored; a CHECK refusal stays 409 STILL_CONFLICTS', () => {
    const a = servers[0] as Tracked;
    expect(() => a.tracker.resolveConflict(id, { action: 'restore', values: { name: 'y', n: -1 } })).toThrow(expect.objectContaining({ code: 'STILL_CONFLICTS', status: 409 }));
    expect(a.tracker.resolveConflict(id, { action: 'restore', values: { name: 'y', n: '4', x: { $blob: 'AAE=' } } })).toMatchObject({ action: 'restore' });
    expect(a.db.prepare("SELECT n, typeof(x) AS x FROM t WHERE name = 'y'").get()).toEqual({ n: 4, x: 'blob' });
    expect(a.tracker.listConflicts()).toEqual([]);
  });
});
