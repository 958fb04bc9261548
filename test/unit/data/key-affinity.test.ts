import { checkKeyValue } from '../../../lib/data/key-affinity';
import type { TrackedColumn } from '../../../lib/data/tracked-table';
import type { SqlValue, TextEncoding } from '../../../lib/data/values';
import { tempDb } from '../../helpers/data';

const column = (type: string): TrackedColumn => ({ name: 'k', type, notNull: true, index: 0, id: 0 }) as unknown as TrackedColumn;

describe('checkKeyValue: a key value must be stored as sent', () => {
  // Checked against SQLite itself: a value is accepted exactly when a column of that type stores it with the same storage class.
  const TYPES = ['TEXT', 'VARCHAR(10)', 'INTEGER', 'INT', 'BIGINT', 'REAL', 'DOUBLE', 'NUMERIC', 'DECIMAL(5,2)', 'BLOB', ''];
  // Numeric text with a NUL: a UTF-8 database reads a number up to the NUL; a UTF-16 one none when a character beyond U+00FF follows.
  const VALUES: SqlValue[] = ['abc', '5', ' 5 ', '\t5\n', '\u00a05', '\ufeff5', '5.5', '1e3', '-7', '+3', '.5', '5.', '0x10', '5abc', '', '5\u0000x', '5\u0000\u00e9', '5\u0000\u0101', '5\u0000x\u4e2d', '\u01015', 5n, -3n, 5.5, 7, 2 ** 60, -(2 ** 63), 2 ** 63, Buffer.from('ab')];
  const ENCODINGS: readonly TextEncoding[] = ['UTF-8', 'UTF-16le', 'UTF-16be'];
  const CASES = [...TYPES.map((type) => [type, false] as const), ['ANY', true] as const].flatMap(([type, strict]) => ENCODINGS.map((encoding) => [type, strict, encoding] as const));
  it.each(CASES)('%s (STRICT: %s) in a %s database: agrees with SQLite on which values keep their storage class', (type, strict, encoding) => {
    const temp = tempDb(`PRAGMA encoding = '${encoding}'; CREATE TABLE t (k ${type})${strict ? ' STRICT' : ''}`);
    try {
      const insert = temp.db.prepare('INSERT INTO t (k) VALUES (?) RETURNING typeof(k) AS stored');
      for (const value of VALUES) {
        const sent = typeof value === 'bigint' ? 'integer' : typeof value === 'number' ? 'real' : typeof value === 'string' ? 'text' : 'blob';
        // A JS number here is a REAL on the wire ($real), bound as a double.
        const stored = (insert.get(value) as { stored: string }).stored;
        const accepted = (() => {
          try {
            checkKeyValue(column(type), value, () => 'test', encoding);
            return true;
          } catch {
            return false;
          }
        })();
        expect([type, value, accepted]).toEqual([type, value, stored === sent]);
      }
    } finally {
      temp.cleanup();
    }
  });
});
