import Database from 'better-sqlite3';
import { expressionFailure, expressionRefusal } from '../../../lib/data/expression-refusal';

/** What SQLite throws for `sql` on a fresh in-memory database holding `schema`. */
function thrown(schema: string, sql: string): unknown {
  const db = new Database(':memory:');
  try {
    db.exec(schema);
    db.exec(sql);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
}

/**
 * SQLite's plain SQLITE_ERROR is blamed on the values written (400 INVALID_VALUE) only when an expression
 * failed on them; SQL this server cannot run whatever the values (its own fault) stays a 500.
 */
describe('expressionFailure', () => {
  it('names an expression failing on the values written', () => {
    const error = thrown("CREATE TABLE t (v TEXT CHECK (json_extract(v, '$.a') IS NOT NULL OR v IS NULL));", "INSERT INTO t VALUES ('not json')");
    expect(expressionFailure(error)).toMatch(/malformed JSON/);
    expect(expressionRefusal(error, 'a change to t ["k"] from another server')).toMatchObject({ code: 'INVALID_VALUE', status: 400 });
  });

  it('leaves SQL this server cannot run to the 500, whatever the values', () => {
    const schema = 'CREATE TABLE t (a INTEGER);';
    for (const sql of ['INSERT INTO t (b) VALUES (1)', 'INSERT INTO missing VALUES (1)', 'SELECT * FROM t WHERE a = $', 'SELEC 1', 'INSERT INTO t VALUES (']) {
      const error = thrown(schema, sql);
      expect((error as { code?: unknown }).code).toBe('SQLITE_ERROR');
      expect(expressionFailure(error)).toBeUndefined();
    }
  });

  it('takes no other error for one', () => {
    expect(expressionFailure(new Error('malformed JSON'))).toBeUndefined();
    expect(expressionFailure({ code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: t.a' })).toBeUndefined();
    expect(expressionFailure(undefined)).toBeUndefined();
  });
});
