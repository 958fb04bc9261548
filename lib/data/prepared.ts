import type Database from 'better-sqlite3';

/**
 * Prepares a statement whose integers are read as JavaScript numbers: the
 * metadata (seqs, clocks, ids, counts), always below 2^53. The integer mode is
 * set on every statement, so an application connection switched to
 * `db.defaultSafeIntegers(true)` (before or after capture) changes nothing.
 */
export function numbers(db: Database.Database, sql: string): Database.Statement {
  return db.prepare(sql).safeIntegers(false);
}

/** Prepares a statement whose integers are read as `bigint`: user values and keys, exact to 64 bits. */
export function exact(db: Database.Database, sql: string): Database.Statement {
  return db.prepare(sql).safeIntegers(true);
}

type PragmaName = 'foreign_keys' | 'recursive_triggers' | 'ignore_check_constraints';

/** The pragma reads, prepared once per connection: every write transaction reads two of them. */
const pragmaReads = new WeakMap<Database.Database, Map<PragmaName, Database.Statement>>();

/** Reads a pragma's value as a number, whatever the connection's integer mode. */
export function pragmaNumber(db: Database.Database, name: PragmaName): number {
  let reads = pragmaReads.get(db);
  if (reads === undefined) pragmaReads.set(db, (reads = new Map()));
  let read = reads.get(name);
  if (read === undefined) reads.set(name, (read = db.prepare(`SELECT * FROM pragma_${name}`).pluck().safeIntegers(false)));
  return Number(read.get());
}

/**
 * Runs `work` with CHECK constraints enforced, whatever the connection says
 * (`PRAGMA ignore_check_constraints`, which may be switched inside a
 * transaction): which rows CHECK parks is decided from the replicated state,
 * so a server that ignored CHECK would show rows every other server parks.
 */
function withChecks<T>(db: Database.Database, work: () => T): T {
  if (pragmaNumber(db, 'ignore_check_constraints') !== 1) return work();
  db.pragma('ignore_check_constraints = OFF');
  try {
    return work();
  } finally {
    db.pragma('ignore_check_constraints = ON');
  }
}

/**
 * Runs `work` in one immediate write transaction with foreign-key enforcement
 * off (SQLite ignores the pragma inside a transaction, so it is switched
 * around it): the merge writes the replicated state exactly, and must never
 * run `ON DELETE` / `ON UPDATE` actions of its own; the visible state's
 * foreign keys are then settled by the constraint rules. Inside a caller's
 * transaction, `work` runs in a savepoint with the connection's setting.
 * Switching the pragma makes SQLite prepare statements again, so a caller
 * that will write no user row passes `switchForeignKeys: false`. CHECK
 * constraints are enforced throughout when it may write a user row (see
 * {@link withChecks}; with `switchForeignKeys: false` it writes none, and
 * switching that pragma would make SQLite prepare every statement again too).
 * @returns what `work` returns; `work` is told to settle foreign keys: always, whatever the connection
 * enforces (which rows a foreign key parks is decided from the replicated state: a server whose connection
 * has foreign keys off, which skipped them, showed the orphans its peers park)
 */
export function writeTransaction<T>(db: Database.Database, work: (foreignKeys: boolean) => T, switchForeignKeys = true): T {
  if (!switchForeignKeys) return foreignKeysSwitched(db, work, false);
  return withChecks(db, () => foreignKeysSwitched(db, work, true));
}

/** {@link writeTransaction} without the CHECK part. */
function foreignKeysSwitched<T>(db: Database.Database, work: (foreignKeys: boolean) => T, switchForeignKeys: boolean): T {
  const foreignKeys = pragmaNumber(db, 'foreign_keys') === 1;
  if (db.inTransaction || !foreignKeys || !switchForeignKeys) return db.transaction(() => work(true)).immediate();
  db.pragma('foreign_keys = OFF');
  try {
    return db.transaction(() => work(true)).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

/**
 * A write transaction around work that folds (and may settle): foreign keys
 * are switched off only when `needsSettle()` says so, which is known for sure
 * only once the transaction holds the lock — another connection (the sqlite3
 * shell) may commit between the question and BEGIN IMMEDIATE. Then the
 * transaction is rolled back before any write and run again with them off.
 */
export function settlingTransaction<T>(db: Database.Database, needsSettle: () => boolean, work: (foreignKeys: boolean) => T): T {
  const outer = db.inTransaction; // inside the caller's transaction the pragma cannot be switched at all
  for (let attempt = 1; ; attempt += 1) {
    const settle = needsSettle();
    let late = false;
    try {
      return writeTransaction(
        db,
        (foreignKeys) => {
          if (!settle && foreignKeys && !outer && attempt < 5 && needsSettle()) {
            late = true;
            throw new Error('settling became needed before the lock was taken');
          }
          return work(foreignKeys);
        },
        settle,
      );
    } catch (error) {
      if (!late) throw error;
    }
  }
}
