import { enableCapture } from '../../../lib/data/capture';
import { parseQuotedKey } from '../../../lib/data/key-codec';
import { decodeValue, encodeValue, TextBytes, type SqlValue } from '../../../lib/data/values';
import { tableRows, tempDb, trackedDb } from '../../helpers/data';

const SCHEMA = `
CREATE TABLE v (id TEXT PRIMARY KEY NOT NULL, i INTEGER, r REAL, t TEXT, b BLOB, any_value);
CREATE TABLE k (a TEXT NOT NULL, n INTEGER NOT NULL, x BLOB NOT NULL, note TEXT, PRIMARY KEY (a, n, x)) WITHOUT ROWID;
`;

const VALUES: ReadonlyArray<readonly [string, SqlValue, unknown]> = [
  ['NULL', null, null],
  ['text', "it's \u00e9 \u{1F916}, ok", "it's \u00e9 \u{1F916}, ok"],
  ['a safe integer', 42n, 42],
  ['the largest safe integer', 9007199254740991n, 9007199254740991],
  ['2^53 + 1', 9007199254740993n, { $int: '9007199254740993' }],
  ['the largest int64', 9223372036854775807n, { $int: '9223372036854775807' }],
  ['the smallest int64', -9223372036854775808n, { $int: '-9223372036854775808' }],
  ['a REAL with a fraction', 0.1, 0.1],
  ['a REAL with an integral value', 1, { $real: 1 }],
  ['a huge REAL', 1e300, { $real: 1e300 }],
  ['a negative zero', -0, { $real: '-0' }],
  ['an infinite REAL', Infinity, { $real: 'Infinity' }],
  ['a negative infinite REAL', -Infinity, { $real: '-Infinity' }],
  ['TEXT that is not valid UTF-8', new TextBytes(Buffer.from([0x78, 0xed, 0xa0, 0xbd])), { $text: 'eO2gvQ==' }],
  ['a BLOB', Buffer.from([0, 1, 254, 255]), { $blob: 'AAH+/w==' }],
  ['an empty BLOB', Buffer.alloc(0), { $blob: '' }],
];

describe('value encoding', () => {
  it.each(VALUES)('encodes %s and decodes it back to the same value and type', (_name, value, wire) => {
    const encoded = encodeValue(value, 'v.x');
    expect(encoded).toEqual(wire);
    const decoded = decodeValue(JSON.parse(JSON.stringify(encoded)) as never, 'v.x');
    expect(decoded).toEqual(value);
    expect(typeof decoded).toBe(typeof value);
    expect(Object.is(decoded, -0)).toBe(Object.is(value, -0));
  });

  it('refuses to send NaN (no SQLite column holds it: SQLite stores NULL), naming the cell', () => {
    expect(() => encodeValue(NaN, 'v.r')).toThrow(expect.objectContaining({ code: 'UNSENDABLE_VALUE', message: expect.stringContaining('v.r holds NaN') as unknown }));
  });

  it.each([NaN, Infinity, '1e999', 'Inf'])('refuses the tagged REAL %p on the wire (only "Infinity" and "-Infinity" name an infinity)', (tag) => {
    expect(() => decodeValue({ $real: tag } as never, 'v.r')).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });

  // A REAL column holding an infinity (a JavaScript `x / 0` bound as is, or `9e999` in SQL) used to stop the
  // table's sync for good: every page holding the row was refused with UNSENDABLE_VALUE. It travels as a tagged REAL now.
  it('sends an infinite REAL, in a whole row and in a changed cell alike, and the receiver stores the same value', () => {
    const source = trackedDb();
    const target = trackedDb();
    try {
      source.db.exec("INSERT INTO teams (id, name, rating) VALUES ('t-inf', 'x', 9e999)");
      const first = source.tracker.readChanges(0, 100);
      target.tracker.applyChangeset(JSON.parse(JSON.stringify(first)));
      const ratingOf = (db: typeof source.db): unknown => db.prepare("SELECT typeof(rating) AS type, rating FROM teams WHERE id = 't-inf'").get();
      expect(ratingOf(target.db)).toEqual({ type: 'real', rating: Infinity });
      source.db.exec("UPDATE teams SET rating = -9e999 WHERE id = 't-inf'");
      target.tracker.applyChangeset(JSON.parse(JSON.stringify(source.tracker.readChanges(first.next, 100))));
      expect(ratingOf(target.db)).toEqual({ type: 'real', rating: -Infinity });
      const compact = source.tracker.readCompactChanges(0, 100);
      expect(JSON.stringify(compact)).toContain('{"$real":"-Infinity"}');
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });

  it('parses composite keys as SQLite quote() writes them', () => {
    expect(parseQuotedKey("'a,''b''',-12,X'00FF',1.5")).toEqual(["a,'b'", -12n, Buffer.from([0, 255]), 1.5]);
  });
});

describe('values round-trip exactly through a changeset', () => {
  it('keeps every storage class and every bit, in plain and composite keys', () => {
    const a = tempDb(SCHEMA);
    const b = tempDb(SCHEMA);
    try {
      const from = enableCapture(a.db, { tables: ['v', 'k'] });
      const to = enableCapture(b.db, { tables: ['v', 'k'] });
      const insert = a.db.prepare('INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)');
      VALUES.filter(([, value]) => !(value instanceof TextBytes)).forEach(([, value], index) => insert.run(`row${index}`, typeof value === 'bigint' ? value : null, typeof value === 'number' ? value : null, typeof value === 'string' ? value : null, Buffer.isBuffer(value) ? value : null, value));
      a.db.prepare('INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)').run('types', 1n, 1.0, '1', Buffer.from('1'), 1.0);
      a.db.prepare('INSERT INTO k VALUES (?, ?, ?, ?)').run("a,'b'", 9007199254740993n, Buffer.from([0, 39, 44]), 'composite');
      a.db.prepare('INSERT INTO k VALUES (?, ?, ?, ?)').run('plain', -1n, Buffer.alloc(0), 'second');
      a.db.prepare("UPDATE k SET note = 'edited' WHERE a = 'plain'").run();
      to.applyChangeset(JSON.parse(JSON.stringify(from.readChanges(0, 100))));
      expect(tableRows(b.db, 'v')).toEqual(tableRows(a.db, 'v'));
      expect(tableRows(b.db, 'k', 'a, n, x')).toEqual(tableRows(a.db, 'k', 'a, n, x'));
      expect(b.db.prepare("SELECT typeof(r), typeof(any_value) FROM v WHERE id = 'types'").raw(true).get()).toEqual(['real', 'real']);
      a.db.prepare("DELETE FROM k WHERE a = ?").run("a,'b'");
      to.applyChangeset(JSON.parse(JSON.stringify(from.readChanges(0, 100))));
      expect(tableRows(b.db, 'k', 'a, n, x')).toEqual([['plain', -1n, Buffer.alloc(0), 'edited']]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe('values round-trip byte for byte', () => {
  it('keeps -0.0 where SQLite keeps it, and the bytes of TEXT that is not valid UTF-8', () => {
    const a = tempDb(SCHEMA);
    const b = tempDb(SCHEMA);
    try {
      const from = enableCapture(a.db, { tables: ['v', 'k'] });
      const to = enableCapture(b.db, { tables: ['v', 'k'] });
      a.db.prepare('INSERT INTO v (id, r, any_value, b) VALUES (?, ?, ?, ?)').run('zero', -0, -0, -0);
      a.db.exec("INSERT INTO v (id, t, any_value) VALUES ('bytes', 'x' || char(55357), CAST(X'FF61' AS TEXT))");
      a.db.exec("UPDATE v SET t = CAST(X'61C3' AS TEXT) WHERE id = 'zero'");
      to.applyChangeset(JSON.parse(JSON.stringify(from.readChanges(0, 100))));
      const cells = (db: typeof a.db): unknown[] =>
        db.prepare("SELECT id, typeof(r), typeof(any_value), typeof(b), hex(t), typeof(t), hex(any_value) FROM v ORDER BY id").raw(true).all();
      expect(cells(b.db)).toEqual(cells(a.db));
      expect(cells(b.db)).toEqual([
        ['bytes', 'null', 'text', 'null', '78EDA0BD', 'text', 'FF61'],
        ['zero', 'real', 'real', 'real', '61C3', 'text', '302E30'], // hex() and quote() print -0.0 as 0.0: the sign is checked below
      ]);
      const signs = (db: typeof a.db): boolean[] => (db.prepare("SELECT r, any_value, b FROM v WHERE id = 'zero'").raw(true).get() as number[]).map((value) => Object.is(value, -0));
      expect(signs(b.db)).toEqual(signs(a.db));
      expect(signs(b.db)).toEqual([false, true, true]); // a REAL column stores 0.0; no affinity and BLOB keep -0.0
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
