import { storedDefaultSql } from '../../../lib/data/stored-default';
import { tempDb, type TempDb } from '../../helpers/data';

/**
 * storedDefaultSql spells, for a literal DEFAULT, the value the column stores: checked against what
 * SQLite stores when `INSERT OR REPLACE` writes a NULL into a NOT NULL column, for each affinity.
 */
const LITERALS = [
  "'7'", "'1.0'", "'-0.0'", "' 12 '", "'\t7'", "'1e3'", "'1e17'", "'1.5'", "'.5'", "'5.'", "'+3'", "'1e400'",
  "'-9223372036854775808.0'", "'-9.223372036854775808e18'", "'-9223372036854775808'", "'9223372036854775807'", "'9223372036854775808'",
  "'9007199254740993'", "'9007199254740993.0'", "'1234567890123456789.0'", "'0x10'", "'abc'", "'1x'", "''", "'it''s'",
  '"7"', "('7')", "(('1.0'))", '7', '1.0', '-0.0', '0x10', '1e3', '(2)', '1.5', '-9223372036854775808.0', '9223372036854775808',
];
const TYPES = ['INTEGER', 'INT', 'NUMERIC', 'DECIMAL(10,2)', 'REAL', 'TEXT', 'VARCHAR(9)', 'BLOB', ''];

describe('a literal DEFAULT as its column stores it', () => {
  let temp: TempDb;
  beforeAll(() => {
    temp = tempDb();
  });
  afterAll(() => temp.cleanup());

  it.each(TYPES)('a column of type "%s"', (type) => {
    const stored: Record<string, string> = {};
    const spelled: Record<string, string> = {};
    for (const literal of LITERALS) {
      temp.db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (id INT, k ${type} NOT NULL DEFAULT ${literal}); INSERT OR REPLACE INTO t (id, k) VALUES (1, NULL);`);
      const dflt = temp.db.prepare("SELECT dflt_value FROM pragma_table_info('t') WHERE name = 'k'").pluck().get() as string;
      const sql = storedDefaultSql({ type: type.toUpperCase(), dflt });
      expect(sql).toBeDefined();
      stored[literal] = temp.db.prepare("SELECT typeof(k) || ' ' || quote(k) FROM t").pluck().get() as string;
      spelled[literal] = temp.db.prepare(`SELECT typeof(${sql ?? ''}) || ' ' || quote(${sql ?? ''})`).pluck().get() as string;
    }
    expect(spelled).toEqual(stored);
  });

  it.each([["(abs(-7))"], ['CURRENT_TIMESTAMP'], ['NULL'], ["X'07'"], ["'7' || ''"], ['-(7)'], [null]])('none for DEFAULT %s, which SQL computes or no trigger needs', (dflt) => {
    expect(storedDefaultSql({ type: 'INTEGER', dflt })).toBeUndefined();
  });
});
