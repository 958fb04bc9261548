import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SchemaFleet, typedRows } from '../helpers/h5-schema-fleet';
import { tempDir } from '../helpers/temp';

// Table shapes an app may have, written on every server at once and synced over HTTP: every server
// ends with the same cells, storage classes included (typeof and quote of every column).
const SCHEMA = `
CREATE TABLE gen (id TEXT PRIMARY KEY NOT NULL, a INTEGER, name TEXT,
  twice INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL, shout TEXT GENERATED ALWAYS AS (upper(name)) STORED);
CREATE TABLE strict_t (id TEXT PRIMARY KEY NOT NULL, i INTEGER, r REAL, t TEXT, b BLOB, x ANY) STRICT;
CREATE TABLE mixed (k1 NOT NULL, k2 INTEGER NOT NULL, k3 BLOB NOT NULL, v TEXT, PRIMARY KEY (k1, k2, k3)) WITHOUT ROWID;
CREATE TABLE big (id TEXT PRIMARY KEY NOT NULL, t TEXT, b BLOB);`;
const TABLES = ['gen', 'strict_t', 'mixed', 'big'];
const MESH = { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] } as const;
const NAMES = ['A', 'B', 'C'] as const;

/** Every row of `big` as id, length and SHA-256 of its TEXT and BLOB (quote() of 8 MiB is no way to compare). */
function bigRows(db: Database.Database): unknown[] {
  return (db.prepare('SELECT id, typeof(t), CAST(t AS BLOB), typeof(b), b FROM big ORDER BY id').raw(true).all() as [string, string, Buffer | null, string, Buffer | null][]).map(([id, tt, t, tb, b]) => [
    id,
    tt,
    t === null ? null : [t.length, createHash('sha256').update(t).digest('hex')],
    tb,
    b === null ? null : [b.length, createHash('sha256').update(b).digest('hex')],
  ]);
}

describe('tables of every shape, written on three servers at once', () => {
  let fleet: SchemaFleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-h5-shapes-');
    cleanup = temp.cleanup;
    fleet = await SchemaFleet.listen(temp.dir, MESH, SCHEMA);
    for (const name of NAMES) fleet.start(name, TABLES);
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  const expectSame = (table: string): void => {
    const rows = typedRows(fleet.server('A').db, table);
    for (const name of ['B', 'C']) expect([name, table, typedRows(fleet.server(name).db, table)]).toEqual([name, table, rows]);
  };

  it('generated columns (VIRTUAL and STORED) are computed on each server from the synced columns', async () => {
    fleet.server('A').db.exec("INSERT INTO gen (id, a, name) VALUES ('g1', 2, 'poofs'), ('g2', NULL, 'x')");
    fleet.server('B').db.exec("INSERT INTO gen (id, a, name) VALUES ('g1', 5, 'robonauts')");
    await fleet.syncUntilQuiet(NAMES);
    fleet.server('C').db.exec("UPDATE gen SET a = 7 WHERE id = 'g2'");
    fleet.server('A').db.exec("UPDATE gen SET name = 'citrus' WHERE id = 'g1'");
    await fleet.syncUntilQuiet(NAMES);
    expectSame('gen');
    expect(fleet.server('C').db.prepare('SELECT id, a, name, twice, shout FROM gen ORDER BY id').raw(true).all()).toEqual([
      ['g1', 5, 'citrus', 10, 'CITRUS'],
      ['g2', 7, 'x', 14, 'X'],
    ]);
  });

  it('a STRICT table keeps every storage class, ANY included', async () => {
    fleet.server('A').db.exec("INSERT INTO strict_t VALUES ('s1', 9007199254740993, 1.0, 'a', x'00ff', 1.0), ('s2', -1, -0.0, '', x'', 'text')");
    fleet.server('B').db.exec("INSERT INTO strict_t VALUES ('s3', 0, 2.5, NULL, NULL, x'01'), ('s4', NULL, NULL, 'é', x'00', 42)");
    await fleet.syncUntilQuiet(NAMES);
    fleet.server('C').db.exec("UPDATE strict_t SET x = 3.0 WHERE id = 's4'");
    await fleet.syncUntilQuiet(NAMES);
    expectSame('strict_t');
    expect(fleet.server('A').db.prepare("SELECT typeof(x), quote(x) FROM strict_t WHERE id = 's4'").raw(true).get()).toEqual(['real', '3.0']);
  });

  it('a WITHOUT ROWID table keyed by an untyped, an INTEGER and a BLOB column holds keys of every storage class apart', async () => {
    fleet.server('A').db.exec("INSERT INTO mixed VALUES (1, 1, x'00', 'int'), ('1', 1, x'00', 'text'), (1.5, 1, x'00', 'real'), (x'31', 1, x'00', 'blob'), ('a,b', 2, 'x''y', 'comma')");
    fleet.server('B').db.exec("INSERT INTO mixed VALUES (1, 1, '', 'empty text k3'), (-9223372036854775808, 9223372036854775807, x'', 'extremes'), ('''', 0, x'2c', 'quote')");
    await fleet.syncUntilQuiet(NAMES);
    fleet.server('C').db.exec("UPDATE mixed SET v = 'edited' WHERE k1 = '1' AND k2 = 1; DELETE FROM mixed WHERE k1 = x'31'");
    await fleet.syncUntilQuiet(NAMES);
    expectSame('mixed');
    expect(fleet.server('A').db.prepare('SELECT count(*) FROM mixed').pluck().get()).toBe(7);
  });

  it('TEXT and BLOB values of several MiB arrive whole; a row larger than a peer takes stops the round with ROW_TOO_LARGE naming it', async () => {
    const text = 'ü'.repeat(1536 * 1024); // 3 MiB of UTF-8
    const blob = createHash('sha256').update('seed').digest().toString('hex').repeat(64 * 1024); // 4 MiB
    fleet.server('A').db.prepare("INSERT INTO big (id, t, b) VALUES ('b1', ?, CAST(? AS BLOB))").run(text, blob);
    fleet.server('B').db.prepare("INSERT INTO big (id, t, b) VALUES ('b2', ?, zeroblob(5000000))").run(text.slice(1));
    await fleet.syncUntilQuiet(NAMES);
    const rows = bigRows(fleet.server('A').db);
    expect(rows).toHaveLength(2);
    for (const name of ['B', 'C']) expect(bigRows(fleet.server(name).db)).toEqual(rows);
    // 20 MiB is over every peer's maxChangesetBytes (16 MiB): refused loudly, never half-sent.
    fleet.server('A').db.exec("INSERT INTO big (id, b) VALUES ('huge', zeroblob(20 * 1024 * 1024))");
    const results = await fleet.server('A').node.syncNow();
    expect(results.map((result) => [result.ok, result.error?.code])).toEqual([
      [false, 'ROW_TOO_LARGE'],
      [false, 'ROW_TOO_LARGE'],
    ]);
    expect(results[0]?.error?.message).toContain('big ["huge"]');
    expect(fleet.server('B').db.prepare("SELECT count(*) FROM big WHERE id = 'huge'").pluck().get()).toBe(0);
  });
});
