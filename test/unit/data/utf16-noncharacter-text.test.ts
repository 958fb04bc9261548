import type Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import type { TextEncoding } from '../../../lib/data/values';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll, syncRefusal, syncToQuiescence, tempDb, type TempDb } from '../../helpers/data';
import { encodedAs, spelled } from '../../helpers/text-bytes';

/**
 * SQLite turns the UTF-8 of a bound string into UTF-16 for a UTF-16 database (`PRAGMA encoding`), and writes
 * U+FFFE and U+FFFF as U+FFFD on the way. A merge wrote a peer's `'x\uFFFF'` so: a UTF-8 server kept U+FFFF, a
 * UTF-16 one U+FFFD under the same clock, for good, and a UTF-8 server that heard of the cell through the
 * UTF-16 one took U+FFFD; two UNIQUE values (`'u\uFFFF'`, `'u\uFFFD'`) became one there, and a row was parked
 * on one server only. Now a UTF-16 database writes such text as its UTF-16 code units, which it holds as sent.
 */
const SCHEMA = 'CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v TEXT, u TEXT UNIQUE, w);';

interface Server {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
  readonly encoding: TextEncoding;
}

function open(encoding: TextEncoding): Server {
  const temp = tempDb(`PRAGMA encoding = '${encoding}'; ${SCHEMA}`);
  expect(temp.db.pragma('encoding', { simple: true })).toBe(encoding);
  return { temp, tracker: enableCapture(temp.db, { tables: ['t'] }), encoding };
}

/** Every row and parked row, each TEXT as the characters its bytes hold, whatever the database's encoding. */
function state(server: Server): unknown {
  const read = (db: Database.Database, from: string): unknown[] =>
    (db.prepare(`SELECT k, typeof(v), hex(v), typeof(u), hex(u), typeof(w), hex(w) FROM "${from}" ORDER BY k`).raw(true).all() as string[][]).map((row) => [
      row[0],
      ...[1, 3, 5].map((at) => (row[at] === 'text' ? spelled(row[at + 1] ?? '', server.encoding) : `${row[at]}:${row[at + 1]}`)),
    ]);
  const parked = server.temp.db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '\\_sync\\_parked\\_%' ESCAPE '\\' AND type = 'table'").pluck().get() as string;
  return { rows: read(server.temp.db, 't'), parked: read(server.temp.db, parked), conflicts: server.tracker.listConflicts().map((entry) => [entry.key, entry.reason, entry.parked]) };
}

const PAIRS: readonly (readonly [TextEncoding, TextEncoding])[] = [
  ['UTF-8', 'UTF-16le'],
  ['UTF-16be', 'UTF-8'],
  ['UTF-16le', 'UTF-16be'],
  ['UTF-16le', 'UTF-16le'],
];

describe.each(PAIRS)('text holding U+FFFE or U+FFFF, written on a %s and a %s server', (first, second) => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.temp.cleanup();
  });

  it('reads the same on both (and on a UTF-8 server that hears of it through the other) once synced both ways', () => {
    const [a, b, c] = [open(first), open(second), open('UTF-8')];
    servers.push(a, b, c);
    const insert = (server: Server, k: string, v: string, u: string, w: string): void => {
      server.temp.db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)').run(k, v, u, w);
    };
    insert(a, 'a1', 'x\uFFFF', 'u\uFFFF', '\uFFFE');
    // Two UNIQUE values on a UTF-8 server; a UTF-16 one stores both as 'u\uFFFD' when written by its app.
    insert(a, 'a2', 'a\uFFFE\uFFFFb', a.encoding === 'UTF-8' ? 'u\uFFFD' : 'w\uFFFD', '🤖\uFFFF');
    insert(b, 'b1', 'y\uFFFE', 'v\uFFFF', 'z\uFFFD\uFFFF');
    insert(b, 'both', 'b\uFFFF', 'both-b', 'b');
    // As the sqlite3 shell may: the text's own bytes, which a UTF-16 database too holds as they are (U+FFFF, not U+FFFD);
    // both claim one UNIQUE value, so one of the rows is parked everywhere.
    for (const server of [a, b]) {
      const shell = server.temp.db.prepare('INSERT INTO t (k, v, u) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT))');
      shell.run(`cast-${servers.indexOf(server)}`, encodedAs('c\uFFFF\uFFFE', server.encoding), encodedAs('p\uFFFF', server.encoding));
    }
    nextMillisecond();
    insert(a, 'both', 'a\uFFFE', 'both-a', '\uFFFF');
    syncToQuiescence([a.tracker, b.tracker]);
    pullAll(b.tracker, c.tracker); // only through b
    expect(state(b)).toEqual(state(a));
    expect(state(c)).toEqual(state(a));
    expect(a.tracker.listConflicts()).toHaveLength(1);
    b.temp.db.prepare("UPDATE t SET w = 'x\uFFFF' WHERE k = 'a1'").run();
    const holder = a.temp.db.prepare("SELECT k FROM t WHERE k LIKE 'cast-%'").pluck().get() as string;
    a.temp.db.prepare('DELETE FROM t WHERE k = ?').run(holder); // the parked row takes its place
    syncToQuiescence([a.tracker, b.tracker, c.tracker]);
    expect(a.tracker.listConflicts()).toHaveLength(0);
    expect(state(b)).toEqual(state(a));
    expect(state(c)).toEqual(state(a));
  });
});

describe.each([['UTF-16le'], ['UTF-16be']] as const)('a key holding U+FFFE or U+FFFF sent to a %s server', (encoding) => {
  it.each([['k\uFFFF'], ['\uFFFE'], ['a\uFFFD\uFFFF']])('%j is refused with 400 INVALID_VALUE, nothing of the page written', (key) => {
    const [a, b] = [open('UTF-8'), open(encoding)];
    try {
      a.temp.db.prepare('INSERT INTO t (k, v) VALUES (?, ?), (?, ?)').run('plain', 'first', key, 'second');
      const page = a.tracker.readChanges(0, 100, b.tracker.siteId);
      const refusal = syncRefusal(() => b.tracker.applyChangeset(page));
      expect([refusal.code, refusal.status]).toEqual(['INVALID_VALUE', 400]);
      expect(refusal.message).toContain('U+FFFD');
      expect(b.temp.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    } finally {
      a.temp.cleanup();
      b.temp.cleanup();
    }
  });
});
