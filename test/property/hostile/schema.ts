/**
 * The hostile-page fuzz test's schema: a TEXT key table with every storage
 * class, a composite-key WITHOUT ROWID table, a UNIQUE column, a foreign key,
 * a STRICT table and a table whose columns have no affinity (one named
 * `constructor`, a name a plain object holds already, one with a line break).
 */
export const HOSTILE_SCHEMA = `
CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, n INTEGER, r REAL, b BLOB);
CREATE TABLE pairs (k1 TEXT NOT NULL, k2 INTEGER NOT NULL, v TEXT, w INTEGER, PRIMARY KEY (k1, k2)) WITHOUT ROWID;
CREATE TABLE owners (id TEXT PRIMARY KEY NOT NULL, email TEXT UNIQUE, name TEXT);
CREATE TABLE pets (id TEXT PRIMARY KEY NOT NULL, owner_id TEXT REFERENCES owners (id), name TEXT NOT NULL DEFAULT '');
CREATE TABLE strict_t (id TEXT PRIMARY KEY NOT NULL, i INTEGER, t TEXT, x ANY) STRICT;
CREATE TABLE loose (id TEXT PRIMARY KEY NOT NULL, a, "constructor", "line
break");
`;

/** What values a column takes on an honest page. */
export type ValueKind = 'text' | 'int' | 'real' | 'blob' | 'any' | 'ref';

/** A column of the schema: its name, the values it takes, and whether it takes NULL. */
export interface HostileColumn {
  readonly name: string;
  readonly kind: ValueKind;
  readonly nullable: boolean;
}

/** A tracked table: its key columns (in key order), its keys on honest pages, its other columns. */
export interface HostileTable {
  readonly name: string;
  readonly key: readonly string[];
  readonly keys: readonly (readonly unknown[])[];
  readonly columns: readonly HostileColumn[];
}

const column = (name: string, kind: ValueKind, nullable = true): HostileColumn => ({ name, kind, nullable });
/** The first four keys are the baseline's, the fifth a key it never saw; the last is TEXT that is not UTF-8, which no key may be. */
const textKeys = [['k1'], ['k2'], ['k3'], ['ké'], ['k5'], [{ $text: '/2E=' }]] as const;

/** The tracked tables, parents before children. */
export const HOSTILE_TABLES: readonly HostileTable[] = [
  { name: 'notes', key: ['id'], keys: textKeys, columns: [column('title', 'text', false), column('n', 'int'), column('r', 'real'), column('b', 'blob')] },
  { name: 'pairs', key: ['k1', 'k2'], keys: [['p', 1], ['p', 2], ['q', 1], ['q', { $int: '9223372036854775807' }], ['r', -7], [{ $text: '/2E=' }, 2]], columns: [column('v', 'text'), column('w', 'int')] },
  { name: 'owners', key: ['id'], keys: textKeys, columns: [column('email', 'text'), column('name', 'text')] },
  { name: 'pets', key: ['id'], keys: textKeys, columns: [column('owner_id', 'ref'), column('name', 'text', false)] },
  { name: 'strict_t', key: ['id'], keys: textKeys, columns: [column('i', 'int'), column('t', 'text'), column('x', 'any')] },
  { name: 'loose', key: ['id'], keys: textKeys, columns: [column('a', 'any'), column('constructor', 'any'), column('line\nbreak', 'any')] },
];

/** Names of the tracked tables. */
export const HOSTILE_TABLE_NAMES: readonly string[] = HOSTILE_TABLES.map((table) => table.name);

/** The table of this name; the first table for a name the schema does not have (a defect renamed it). */
export function tableNamed(name: string): HostileTable {
  return HOSTILE_TABLES.find((candidate) => candidate.name === name) ?? (HOSTILE_TABLES[0] as HostileTable);
}

/** Honest wire values by kind: plain and tagged forms, edges of each storage class. */
export const VALUES: Readonly<Record<ValueKind, readonly unknown[]>> = {
  text: ['', 'a', 'b', 'é', '🤖', "it's", '\uFFFD', { $text: '/2E=' }],
  int: [0, 1, -1, 42, 9007199254740991, -9007199254740991, { $int: '9007199254740993' }, { $int: '-9223372036854775808' }, { $int: '9223372036854775807' }],
  real: [2.5, -0.5, { $real: 1 }, { $real: '-0' }, { $real: 0 }, { $real: 1e300 }, 0.1, -1e-300, { $real: 'Infinity' }, { $real: '-Infinity' }],
  blob: [{ $blob: '' }, { $blob: 'AA==' }, { $blob: 'AAEC' }],
  any: [],
  ref: ['k1', 'k2', 'k3', 'ké', 'nobody'],
};
(VALUES as Record<ValueKind, readonly unknown[]>).any = [...VALUES.text, ...VALUES.int, ...VALUES.real, ...VALUES.blob];

/**
 * Values a hostile peer sends: lone surrogates, integers beyond 64 bits or
 * 2^53, non-finite and odd numbers, bad tags and base64, objects and arrays,
 * and JSON text no JSON.stringify writes (`1e999`, `-0`, 30 digits, `NaN`),
 * put in place of the sentinel strings by {@link rawJson}.
 */
export const HOSTILE_VALUES: readonly unknown[] = [
  'x\ud800', '\udc00', null, true, [], [1, 2], {}, { toString: 'x' },
  2 ** 53 + 1, -(2 ** 53) - 2, 1e300, 1.5, -0.0,
  { $int: '99999999999999999999' }, { $int: '9'.repeat(30) }, { $int: '9'.repeat(41) }, { $int: '1e3' }, { $int: 5 }, { $int: '' }, { $int: '-0' },
  { $real: 'NaN' }, { $real: 'Inf' }, { $real: '+Infinity' }, { $real: '-0.0' }, { $real: 1e308 }, { $real: 5, x: 1 },
  { $blob: 'not base64!' }, { $blob: 'AAA' }, { $blob: '====' }, { $text: '@@@@' }, { $text: 'gA==' }, { $blob: 'AA==', $int: '1' },
  '@@INF@@', '@@NEG0@@', '@@BIG@@', '@@ONEDOT@@', '@@NAN@@',
];

/** Key values a hostile peer sends for a TEXT or INTEGER key column. */
export const HOSTILE_KEYS: readonly unknown[] = [
  null, 5, '5', 'k\ud800', { $text: '/2E=' }, { $text: 'YQ==' }, { $blob: 'AA==' }, { $int: '6' }, { $real: 7.5 }, { $real: 1 }, { $real: '-0' }, 1.5, '', [], {},
];

const SENTINELS: Readonly<Record<string, string>> = { '"@@INF@@"': '1e999', '"@@NEG0@@"': '-0', '"@@BIG@@"': '123456789012345678901234567890', '"@@ONEDOT@@"': '1.0', '"@@NAN@@"': 'NaN' };

/** The JSON text of a page, with the sentinel strings replaced by the raw JSON they stand for. */
export function rawJson(page: unknown): string {
  let text = JSON.stringify(page);
  for (const [sentinel, raw] of Object.entries(SENTINELS)) text = text.split(sentinel).join(raw);
  return text;
}
