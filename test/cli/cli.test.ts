import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const run = promisify(execFile);
/** What the CLI says when a backup target is a database (`TARGET_INVALID`). */
const ANOTHER_FILE = /write the backup to another file/;
/** What the CLI says, up front, of a target named as a database's side file (`BAD_USAGE`, ap4-side-file-targets). */
const SIDE_NAME = /is named as the -(wal|shm) of .*: a name ending in -wal, -shm, -journal/;
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool as a user would; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function siteOf(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
  } finally {
    db.close();
  }
}

describe('express-sqlite-sync command line: backup, restore, new-site-id', () => {
  let temp: ReturnType<typeof tempDir>;
  let dbFile: string;
  let db: Database.Database;

  beforeEach(() => {
    temp = tempDir();
    dbFile = path.join(temp.dir, 'app.db');
    db = new Database(dbFile);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    enableCapture(db, { tables: ['notes'] });
    const insert = db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) insert.run(randomUUID(), `note ${i}`);
    })();
  });
  const openElsewhere: Database.Database[] = [];
  afterEach(() => {
    if (db.open) db.close();
    for (const held of openElsewhere.splice(0)) held.close();
    temp.cleanup();
  });

  it.each<[string, (dir: string, db: string) => string, RegExp]>([
    ['the database itself', (_dir, db) => db, ANOTHER_FILE],
    ['the database by another path (a hard link)', (dir, db) => {
      const link = path.join(dir, 'alias.db');
      linkSync(db, link);
      return link;
    }, ANOTHER_FILE],
    ['its -wal', (_dir, db) => `${db}-wal`, SIDE_NAME],
    ['a folder', (dir) => {
      const folder = path.join(dir, 'backups');
      mkdirSync(folder);
      return folder;
    }, /is a folder; name the backup file/],
    ['the -shm of another database', (dir) => {
      const other = new Database(path.join(dir, 'other.db'));
      other.exec('CREATE TABLE t (x)');
      other.close();
      return path.join(dir, 'other.db-shm');
    }, SIDE_NAME],
    ['another database a process has open', (dir) => {
      const other = path.join(dir, 'live.db');
      const held = new Database(other);
      held.pragma('journal_mode = WAL');
      held.exec('CREATE TABLE t (x)');
      openElsewhere.push(held);
      return other;
    }, /is open in another process/],
  ])('backup --force never writes over %s (a running server would corrupt it)', async (_name, target, message) => {
    const out = target(temp.dir, dbFile);
    const contentOf = (file: string): Buffer | string[] | undefined => (!existsSync(file) ? undefined : statSync(file).isDirectory() ? readdirSync(file) : readFileSync(file));
    const before = contentOf(out);
    const result = await cli('backup', '--db', dbFile, '--out', out, '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(contentOf(out)).toEqual(before);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it.each<[string, (dir: string, db: string) => string, string]>([
    // A side file's name is refused by the command line itself, before the library looks (ap4-side-file-targets).
    ['the -wal of a live database', (_dir, db) => `${db}-wal`, 'BAD_USAGE'],
    ['the -syncmark of a database', (_dir, db) => `${db}-syncmark`, 'BAD_USAGE'],
    ['a folder', (dir) => {
      const folder = path.join(dir, 'instance');
      mkdirSync(folder);
      return folder;
    }, 'TARGET_INVALID'],
    ['a path under a file', (dir) => {
      writeFileSync(path.join(dir, 'file.txt'), 'x');
      return path.join(dir, 'file.txt', 'x.db');
    }, 'TARGET_INVALID'],
    ['a name ending in a slash', (_dir, db) => `${db}-wal/`, 'TARGET_INVALID'],
  ])('restore --force never writes %s (%s)', async (_name, target, code) => {
    const backup = path.join(temp.dir, 'backup.db');
    expect((await cli('backup', '--db', dbFile, '--out', backup)).code).toBe(0);
    db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)').run(randomUUID(), 'only in the WAL');
    const out = target(temp.dir, dbFile);
    const before = existsSync(out) && statSync(out).isFile() ? readFileSync(out) : undefined;
    const result = await cli('restore', '--from', backup, '--db', out, '--force', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code, message: expect.any(String) } });
    if (before !== undefined) expect(readFileSync(out)).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(2001);
  });

  it.each([['backup'], ['restore']])('%s --force refuses a rollback-journal database another process has open (DATABASE_IN_USE)', async (command) => {
    const live = path.join(temp.dir, 'live.db');
    const held = new Database(live);
    openElsewhere.push(held);
    held.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    const backup = path.join(temp.dir, 'backup.db');
    expect((await cli('backup', '--db', dbFile, '--out', backup)).code).toBe(0);
    const args = command === 'backup' ? ['backup', '--db', dbFile, '--out', live] : ['restore', '--from', backup, '--db', live];
    const result = await cli(...args, '--force', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'DATABASE_IN_USE' } });
    expect(held.prepare('SELECT x FROM t').pluck().all()).toEqual(['kept']);
  });

  it('restore --force sees the running database behind a path with .. in it (DATABASE_IN_USE)', async () => {
    const backup = path.join(temp.dir, 'backup.db');
    expect((await cli('backup', '--db', dbFile, '--out', backup)).code).toBe(0);
    const roundabout = path.join(temp.dir, 'missing', '..', 'app.db');
    const result = await cli('restore', '--from', backup, '--db', roundabout, '--force', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'DATABASE_IN_USE' } });
    expect(db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(2000);
  });

  it.each([
    ['backup', '--db', ['--out', 'out.db']],
    ['new-site-id', '--db', []],
    ['restore', '--from', ['--db', 'restored.db']],
  ])('%s of a missing file names it and %s, never --url (it talks to no server)', async (command, flag, rest) => {
    const missing = path.join(temp.dir, 'missing.db');
    const result = await cli(command, flag, missing, ...rest.map((arg) => (arg.endsWith('.db') ? path.join(temp.dir, arg) : arg)), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: `no database at ${missing}: check the path given to ${flag}` } });
    expect(result.stderr).not.toContain('--url');
  });

  it.each<[string, (dir: string) => string]>([
    ['a text file', (dir) => {
      writeFileSync(path.join(dir, 'notes.txt'), 'not SQLite');
      return path.join(dir, 'notes.txt');
    }],
    ['a folder', (dir) => dir],
  ])('backup of %s says NOT_A_DATABASE', async (_name, source) => {
    const result = await cli('backup', '--db', source(temp.dir), '--out', path.join(temp.dir, 'out.db'), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'NOT_A_DATABASE' } });
    expect(existsSync(path.join(temp.dir, 'out.db'))).toBe(false);
  });

  it.each([
    ['restore', ['--from', '{dir}', '--db', '{dir}/restored.db']],
    ['new-site-id', ['--db', '{dir}']],
  ])('%s of a folder says it is a folder, not "disk I/O error"', async (command, args) => {
    const folder = path.join(temp.dir, 'a-folder');
    mkdirSync(folder);
    const result = await cli(command, ...args.map((arg) => arg.replace('{dir}', folder)), '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'NOT_A_DATABASE', message: `${folder} is a folder, not a database file` } });
  });

  it('a backup sweeps what an interrupted backup to the same file left (temp file and its -journal)', async () => {
    const out = path.join(temp.dir, 'b.db');
    const left = [path.join(temp.dir, '.b.db.sync-tmp-999999999-abcdef012345'), path.join(temp.dir, '.b.db.sync-tmp-999999999-abcdef012345-journal')];
    for (const file of left) writeFileSync(file, 'left by a backup stopped with Ctrl-C');
    expect((await cli('backup', '--db', dbFile, '--out', out)).code).toBe(0);
    expect(readdirSync(temp.dir).filter((name) => name.includes('sync-tmp'))).toEqual([]);
  });

  it('backs up a database that is open and being written, through the backup API', async () => {
    const out = path.join(temp.dir, 'backup.db');
    const writing = setInterval(() => db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)').run(randomUUID(), 'while backing up'), 1);
    const result = await cli('backup', '--db', dbFile, '--out', out);
    clearInterval(writing);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/backed up .* pages\)/) });
    const copy = new Database(out, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM notes').pluck().get()).toBeGreaterThanOrEqual(2000);
    expect(copy.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get()).toBe(siteOf(dbFile));
    copy.close();
    const again = await cli('backup', '--db', dbFile, '--out', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; choose another name or pass --force/);
  });

  it('restores with a new site id, and removes the stale -wal and -shm of the file it replaces', async () => {
    const backup = path.join(temp.dir, 'backup.db');
    expect((await cli('backup', '--db', dbFile, '--out', backup)).code).toBe(0);
    const target = path.join(temp.dir, 'restored.db');
    writeFileSync(target, 'old');
    writeFileSync(`${target}-wal`, 'stale wal of another database');
    writeFileSync(`${target}-shm`, 'stale shm');
    expect((await cli('restore', '--from', backup, '--db', target)).stderr).toMatch(/stop its server and pass --force/);
    const restored = await cli('restore', '--from', backup, '--db', target, '--force');
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringMatching(/new site id [0-9a-f]{32}/) });
    expect(existsSync(`${target}-wal`)).toBe(false);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(2000);
    copy.close();
    expect(siteOf(target)).not.toBe(siteOf(dbFile));
  });

  it('refuses to restore something that is not a database, and creates no folder for it', async () => {
    const junk = path.join(temp.dir, 'junk.db');
    writeFileSync(junk, 'this is not SQLite');
    const result = await cli('restore', '--from', junk, '--db', path.join(temp.dir, 'new-folder', 'x.db'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a healthy SQLite database/);
    expect(existsSync(path.join(temp.dir, 'new-folder'))).toBe(false);
  });

  it('new-site-id on a file that is not a database says so (NOT_A_DATABASE), naming the file', async () => {
    const junk = path.join(temp.dir, 'notes.txt');
    writeFileSync(junk, 'this is not SQLite at all, just some notes');
    const result = await cli('new-site-id', '--db', junk);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/notes\.txt is not a healthy SQLite database/);
    expect(readFileSync(junk, 'utf8')).toBe('this is not SQLite at all, just some notes');
  });

  it('backup, restore and new-site-id with --json print one JSON object on success', async () => {
    const backup = path.join(temp.dir, 'backup.db');
    const backedUp = await cli('backup', '--db', dbFile, '--out', backup, '--json');
    expect(backedUp.code).toBe(0);
    expect(JSON.parse(backedUp.stdout)).toEqual({ db: dbFile, out: backup, pages: expect.any(Number) });
    const target = path.join(temp.dir, 'restored', 'app.db');
    const restored = await cli('restore', '--from', backup, '--db', target, '--json');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({ from: backup, db: target, siteId: { previous: siteOf(dbFile), current: siteOf(target) } });
    const renewed = await cli('new-site-id', '--db', target, '--json');
    expect(renewed.code).toBe(0);
    expect(JSON.parse(renewed.stdout)).toEqual({ db: target, previous: expect.stringMatching(/^[0-9a-f]{32}$/), current: siteOf(target) });
  });

  it('restores onto a fresh laptop: the folder of --db is created', async () => {
    const backup = path.join(temp.dir, 'backup.db');
    expect((await cli('backup', '--db', dbFile, '--out', backup)).code).toBe(0);
    const target = path.join(temp.dir, 'fresh', 'data', 'instance', 'app.db');
    const restored = await cli('restore', '--from', backup, '--db', target);
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringMatching(/new site id [0-9a-f]{32}/) });
    expect(siteOf(target)).not.toBe(siteOf(dbFile));
  });

  it('new-site-id refuses a database a running server has open, and changes nothing', async () => {
    const before = siteOf(dbFile); // db (WAL mode) stays open, as a running server's would
    const result = await cli('new-site-id', '--db', dbFile);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is open in another process \(a running server\?\)\. Stop the server that uses it first/);
    expect(siteOf(dbFile)).toBe(before);
    const force = await cli('restore', '--from', dbFile, '--db', dbFile, '--force');
    expect(force).toMatchObject({ code: 1, stderr: expect.stringMatching(/open in another process/) });
  });

  it.each([['status'], ['sync'], ['join']])('%s refuses a --timeout that is not a number of milliseconds, naming the option', async (command) => {
    const args = command === 'join' ? ['--from', 'http://127.0.0.1:9', '--db', path.join(temp.dir, 'never.db')] : ['--url', 'http://127.0.0.1:9'];
    for (const timeout of ['abc', '0', '-5', '1.5', '3000000000']) {
      const answer = await cli(command, ...args, '--token', TEST_TOKEN, '--timeout', timeout);
      expect(answer.code).toBe(1);
      expect(answer.stderr).toMatch(/option '--timeout <ms>' argument .* is invalid/);
    }
    expect(existsSync(path.join(temp.dir, 'never.db'))).toBe(false);
  });

  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('gives a copied database a new site id', async () => {
    db.close();
    const before = siteOf(dbFile);
    const result = await cli('new-site-id', '--db', dbFile);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining(`site id ${before} →`) });
    expect(siteOf(dbFile)).toMatch(/^[0-9a-f]{32}$/);
    expect(siteOf(dbFile)).not.toBe(before);
  });
});

describe('express-sqlite-sync command line: status and sync against live servers', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeAll(async () => {
    cluster = await startPeers(2, 'mesh');
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('asks a server to sync now and prints each peer, then shows the status', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    const sync = await cli('sync', '--url', a.syncUrl, '--token', TEST_TOKEN);
    expect(sync).toMatchObject({ code: 0, stdout: expect.stringContaining(`✔ ${b.syncUrl}`) });
    const status = await cli('status', '--url', a.syncUrl, '--token', TEST_TOKEN, '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ site: expect.stringMatching(/^[0-9a-f]{32}$/), peers: [{ url: b.syncUrl, failures: 0, lastSuccessAt: expect.any(String) }] });
    const text = await cli('status', '--url', a.syncUrl, '--token', TEST_TOKEN);
    expect(text.stdout).toMatch(/last success \d+s ago {3}ok/);
  });

  it('takes a server URL without a path as its /api/sync, as peers and SYNC_PEERS do', async () => {
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    expect((await cli('sync', '--url', a.url, '--token', TEST_TOKEN)).code).toBe(0);
    const status = await cli('status', '--url', a.url, '--token', TEST_TOKEN, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'server-0', peers: [{ url: b.syncUrl, name: 'server-1' }] });
  });

  it('says what is wrong with a wrong token or no token', async () => {
    const [a] = cluster.peers as [LivePeer];
    const wrong = await cli('status', '--url', a.syncUrl, '--token', 'not-the-right-token');
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/UNAUTHORIZED|token is wrong/) });
    const none = await cli('status', '--url', a.syncUrl);
    expect(none).toMatchObject({ code: 1, stderr: expect.stringMatching(/no token/) });
  });

  it('with --json, a failure is printed on stdout in the API\'s error shape too', async () => {
    const [a] = cluster.peers as [LivePeer];
    const wrong = await cli('status', '--url', a.syncUrl, '--token', 'not-the-right-token', '--json');
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    const nothingHeld = await cli('confirm-deletions', '--url', a.syncUrl, '--token', TEST_TOKEN, '--json');
    expect(nothingHeld.code).toBe(1);
    expect(JSON.parse(nothingHeld.stdout)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});
