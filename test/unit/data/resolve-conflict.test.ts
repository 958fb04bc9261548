import { dbDigest, pullAll, trackedDb } from '../../helpers/data';
import { nextMillisecond } from './clock';

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
