import { execFileSync } from 'node:child_process';
import type Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { tempDb, type TempDb } from '../helpers/data';
import { pullOverHttp, startHttpDataPair, type HttpDataPair, type HttpDataPeer } from '../helpers/http-data-pair';

// The sqlite3 shell runs its own SQLite, and SQLite's quote() — which builds a composite key's
// metadata in the capture triggers — spells some REALs differently by version: 3.40 (Debian 12's
// shell) writes 0.1 + 0.2 as 3.00000000000000044408e-01, the library the server runs as
// 0.30000000000000004. Without a sqlite3 binary, a connection whose quote() spells REALs as
// 3.40 does stands in for it.
const SCHEMA = 'CREATE TABLE readings (sensor TEXT NOT NULL, at REAL NOT NULL, value TEXT, PRIMARY KEY (sensor, at));';

function hasShell(): boolean {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `sql` as an older SQLite would: the sqlite3 shell, or a connection with 3.40's quote(). */
function olderSqlite(temp: TempDb, sql: string): void {
  if (hasShell()) {
    execFileSync('sqlite3', [temp.file, sql]);
    return;
  }
  const other = temp.connect();
  other.function('quote', { deterministic: true }, (value: unknown) => (typeof value === 'number' && !Number.isInteger(value) && String(value).length > 16 ? value.toExponential(20) : value === null ? 'NULL' : typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value)));
  other.exec(sql);
}

function rows(db: Database.Database): unknown[] {
  return db.prepare('SELECT sensor, at, value FROM readings ORDER BY sensor, at').raw(true).all();
}

describe('a composite key holding a REAL, written from the sqlite3 shell and from the app, is one row', () => {
  let pair: HttpDataPair;
  let a: HttpDataPeer;
  let b: HttpDataPeer;
  beforeEach(async () => {
    pair = await startHttpDataPair(SCHEMA, { tables: ['readings'] });
    ({ a, b } = pair);
  });
  afterEach(() => pair.close());

  // Before: the shell's insert and delete were kept under one metadata key and the app's insert
  // under another: the page sent the row deleted (cl 2) and then born (cl 1), so the peer kept it
  // deleted while this server showed it (status ok).
  it('inserted and deleted in the shell, inserted again by the app: the peer has it too', async () => {
    olderSqlite(a.temp, "INSERT INTO readings VALUES ('s1', 0.1 + 0.2, 'shell'); DELETE FROM readings;");
    a.temp.db.prepare('INSERT INTO readings VALUES (?, ?, ?)').run('s1', 0.1 + 0.2, 'app');
    await pullOverHttp(a, b, 0);
    expect(rows(a.temp.db)).toEqual([['s1', 0.30000000000000004, 'app']]);
    expect(rows(b.temp.db)).toEqual(rows(a.temp.db));
  });

  it('inserted in the shell, then edited and deleted by the app: one row all along, deleted on the peer', async () => {
    olderSqlite(a.temp, "INSERT INTO readings VALUES ('s1', 1.0 / 3, 'shell');");
    let cursor = await pullOverHttp(a, b, 0);
    a.temp.db.prepare("UPDATE readings SET value = 'app'").run();
    cursor = await pullOverHttp(a, b, cursor);
    expect(rows(b.temp.db)).toEqual([['s1', 1 / 3, 'app']]);
    expect(a.temp.db.prepare('SELECT count(*) FROM _sync_rows').pluck().get()).toBe(1);
    a.temp.db.prepare('DELETE FROM readings').run();
    olderSqlite(a.temp, "INSERT INTO readings VALUES ('s1', 1.0 / 3, 'shell again');");
    await pullOverHttp(a, b, cursor);
    expect(rows(b.temp.db)).toEqual([['s1', 1 / 3, 'shell again']]);
  });

  // Before: the start's backfill did not find the shell's write in the log (spelled otherwise)
  // and logged the row again as born at clock 0, so the shell's clock was lost.
  it('written in the shell while the server is stopped (a table with a foreign key): the next start keeps its clock', () => {
    const temp = tempDb('CREATE TABLE sensors (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE marks (sensor TEXT NOT NULL REFERENCES sensors (id), at REAL NOT NULL, value TEXT, PRIMARY KEY (sensor, at));');
    try {
      temp.db.prepare("INSERT INTO sensors VALUES ('s1')").run();
      enableCapture(temp.db, { tables: ['sensors', 'marks'] }).readChanges(0, 10);
      olderSqlite(temp, "INSERT INTO marks VALUES ('s1', 0.1 + 0.2, 'shell');");
      const changes = enableCapture(temp.db, { tables: ['sensors', 'marks'] }).readChanges(0, 10).changes.filter((change) => change.table === 'marks');
      expect(changes).toHaveLength(1);
      expect(changes[0]?.hlc).toBeGreaterThan((Date.now() - 60_000) * 1024);
    } finally {
      temp.cleanup();
    }
  });
});
