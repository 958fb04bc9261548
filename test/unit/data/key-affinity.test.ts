import { checkKeyValue } from '../../../lib/data/key-affinity';
import type { TrackedColumn } from '../../../lib/data/tracked-table';
import type { SqlValue } from '../../../lib/data/values';
import { tempDb } from '../../helpers/data';

const column = (type: string): TrackedColumn => ({ name: 'k', type, notNull: true, index: 0, id: 0 }) as unknown as TrackedColumn;

describe('checkKeyValue: a key value must be stored as sent', () => {
  // Checked against SQLite itself: a value is accepted exactly when a column of that type stores it with the same storage class.
  const TYPES = ['TEXT', 'VARCHAR(10)', 'INTEGER', 'INT', 'BIGINT', 'REAL', 'DOUBLE', 'NUMERIC', 'DECIMAL(5,2)', 'BLOB', ''];
  const VALUES: SqlValue[] = ['abc', '5', ' 5 ', '\t5\n', '\u00a05', '\ufeff5', '5.5', '1e3', '-7', '+3', '.5', '5.', '0x10', '5abc', '', 5n, -3n, 5.5, 7, 2 ** 60, -(2 ** 63), 2 ** 63, Buffer.from('ab')];
  it.each([...TYPES.map((type) => [type, false] as const), ['ANY', true] as const])('%s (STRICT: %s): agrees with SQLite on which values keep their storage class', (type, strict) => {
    const temp = tempDb(`CREATE TABLE t (k ${type})${strict ? ' STRICT' : ''}`);
    try {
      const insert = temp.db.prepare('INSERT INTO t (k) VALUES (?) RETURNING typeof(k) AS stored');
      for (const value of VALUES) {
        const sent = typeof value === 'bigint' ? 'integer' : typeof value === 'number' ? 'real' : typeof value === 'string' ? 'text' : 'blob';
        // A JS number here is a REAL on the wire ($real), bound as a double.
        const stored = (insert.get(value) as { stored: string }).stored;
        const accepted = (() => {
          try {
            checkKeyValue(column(type), value, () => 'test');
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
