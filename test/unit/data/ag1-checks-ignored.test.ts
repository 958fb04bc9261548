import { nextMillisecond } from '../../helpers/clock';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * `PRAGMA ignore_check_constraints = ON` on a server's connection: its merges skipped the CHECK
 * that parks a row everywhere else, so the row merged from two writers' cells (each valid alone)
 * stayed visible there, with no conflict, while its peers parked it. Merges now enforce CHECK
 * whatever the pragma says, and leave the pragma as they found it.
 */
const SCHEMA = 'CREATE TABLE spans (id TEXT PRIMARY KEY NOT NULL, lo INTEGER, hi INTEGER, CHECK (lo < hi));';

function state(server: TrackedServer): unknown {
  return { ...settledState(server, 'spans'), rows: server.db.prepare('SELECT * FROM spans ORDER BY id').raw(true).all() };
}

describe('a server whose connection ignores CHECK constraints', () => {
  let a: TrackedServer;
  let b: TrackedServer;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('parks the row two writers made invalid together, as its peer does, and comes back with it', () => {
    [a, b] = [trackedServer(SCHEMA, ['spans']), trackedServer(SCHEMA, ['spans'])];
    a.db.exec("INSERT INTO spans VALUES ('s1', 1, 10)");
    syncBoth(a, b);
    b.db.pragma('ignore_check_constraints = ON');
    a.db.exec("UPDATE spans SET lo = 5 WHERE id = 's1'");
    nextMillisecond();
    b.db.exec("UPDATE spans SET hi = 3 WHERE id = 's1'");
    syncBoth(a, b);
    expect(state(b)).toEqual({ visible: [], parked: ['s1:CHECK'], rows: [] });
    expect(state(a)).toEqual(state(b));
    expect(b.db.pragma('ignore_check_constraints', { simple: true })).toBe(1);

    nextMillisecond();
    a.tracker.resolveConflict(a.tracker.listConflicts('', 10)[0]?.id ?? '', { action: 'restore', values: { hi: 30 } });
    syncBoth(a, b);
    expect(state(b)).toEqual({ visible: ['s1'], parked: [], rows: [['s1', 5, 30]] });
    expect(state(a)).toEqual(state(b));
  });

  it('switches the pragma only around work that may write a row: a read or a fold with nothing to settle leaves it alone', () => {
    // Switching it makes SQLite prepare every statement again: a page served with nothing new cost several times as much.
    [a, b] = [trackedServer(SCHEMA, ['spans']), trackedServer(SCHEMA, ['spans'])];
    a.db.exec("INSERT INTO spans VALUES ('s1', 1, 10)");
    syncBoth(a, b);
    b.db.pragma('ignore_check_constraints = ON');
    const head = b.tracker.currentSeq();
    b.db.exec("INSERT INTO spans VALUES ('s2', 2, 20)");
    const pragma = jest.spyOn(b.db, 'pragma');
    try {
      b.tracker.readChanges(head, 1000);
      b.tracker.readChanges(b.tracker.currentSeq(), 1000);
      b.tracker.fold();
      expect(pragma.mock.calls.filter(([source]) => /ignore_check_constraints/.test(source))).toEqual([]);
    } finally {
      pragma.mockRestore();
    }
    syncBoth(a, b);
    expect(state(a)).toEqual({ visible: ['s1', 's2'], parked: [], rows: [['s1', 1, 10], ['s2', 2, 20]] });
    expect(state(b)).toEqual(state(a));
    expect(b.db.pragma('ignore_check_constraints', { simple: true })).toBe(1);
  });
});
