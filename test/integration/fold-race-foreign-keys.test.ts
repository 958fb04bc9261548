import { spawn } from 'node:child_process';
import path from 'node:path';
import { enableCapture } from '../../lib/data/capture';
import { tempDb, type TempDb } from '../helpers/data';

const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT NOT NULL REFERENCES teams (id), scout TEXT NOT NULL, UNIQUE (team_id, scout));
`;

/**
 * Another process (the sqlite3 shell, foreign keys off) holding a write
 * transaction that deletes `report` and its team; it commits `afterMs` after it
 * said it holds the lock.
 */
async function writerHoldingTheLock(file: string, report: string, afterMs: number): Promise<{ committed: Promise<void> }> {
  const script = `
const Database = require('better-sqlite3');
const db = new Database(${JSON.stringify(file)});
db.pragma('foreign_keys = OFF');
db.exec('BEGIN IMMEDIATE');
db.prepare('DELETE FROM reports WHERE id = ?').run(${JSON.stringify(report)});
db.exec("DELETE FROM teams WHERE id = 't1'");
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${afterMs});`;
  const child = spawn(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const committed = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`)))));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`writer exited with ${code} before locking`)));
  });
  return { committed };
}

describe('a fold that meets writes committed while it waited for the lock', () => {
  let a: TempDb;
  let b: TempDb;
  beforeEach(() => {
    a = tempDb(SCHEMA);
    b = tempDb(SCHEMA);
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('settles them with foreign keys off: a parked report whose team is gone stays parked (no SQLITE_CONSTRAINT_FOREIGNKEY)', async () => {
    const here = enableCapture(a.db, { tables: ['teams', 'reports'] });
    const there = enableCapture(b.db, { tables: ['teams', 'reports'] });
    a.db.exec("INSERT INTO teams VALUES ('t1', 'Gears')");
    there.applyChangeset(here.readChanges(0, 100)); // b has the team
    a.db.exec("INSERT INTO reports VALUES ('r1', 't1', 'sam')");
    b.db.exec("INSERT INTO reports VALUES ('r2', 't1', 'sam')"); // the same report filed on b
    here.applyChangeset(there.readChanges(0, 100, here.siteId)); // the later claim is parked here (UNIQUE)
    const [visible] = a.db.prepare('SELECT id FROM reports').pluck().all() as string[];
    const parked = visible === 'r1' ? 'r2' : 'r1';
    expect(a.db.prepare('SELECT id FROM _sync_parked_2').pluck().all()).toEqual([parked]);

    const writer = await writerHoldingTheLock(a.file, visible ?? '', 300);
    // Nothing is pending when the fold asks; the writer's commit lands while it waits for the lock.
    expect(() => here.fold()).not.toThrow();
    await writer.committed;
    expect(a.db.prepare('SELECT id FROM reports').pluck().all()).toEqual([]);
    expect(a.db.prepare('SELECT id, _sync_reason AS reason FROM _sync_parked_2').all()).toEqual([{ id: parked, reason: 'FOREIGN_KEY' }]);
  });
});
