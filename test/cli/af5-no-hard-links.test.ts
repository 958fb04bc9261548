import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDb, type TempDb } from '../helpers/data';
import { runCli, type CliRun } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// backup, restore and join put the finished file in place with a hard link (link(2) never replaces a
// name). A vfat or exFAT USB stick (`backup --out /media/usb/before-finals.db`), some network shares
// and FUSE mounts have no hard links: link(2) fails with EPERM (or ENOTSUP…). join then failed with the
// raw error once the whole snapshot was downloaded; backup and restore looked at the name once more and
// renamed over it, replacing a file made between the look and the rename.
// Here every link fails (test/helpers/af5-no-hard-links.cjs, preloaded into the CLI's process).

const PRELOAD = path.resolve(__dirname, '..', 'helpers', 'af5-no-hard-links.cjs');
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/** Runs the CLI on a file system without hard links whose link(2) answers `code`. */
function runWithoutLinks(args: readonly string[], code: string): Promise<CliRun> {
  return runCli(args, { NODE_OPTIONS: `--require ${PRELOAD}`, ESS_NO_LINK_CODE: code });
}

/** `PRAGMA integrity_check` and the notes of a database file. */
function readBack(file: string): { readonly integrity: unknown; readonly notes: unknown[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return { integrity: db.pragma('integrity_check', { simple: true }), notes: db.prepare('SELECT id, body FROM notes ORDER BY id').all() };
  } finally {
    db.close();
  }
}

const NOTES = [
  { id: 'n1', body: 'one' },
  { id: 'n2', body: 'two' },
];

describe('backup, restore and join onto a file system without hard links (a FAT USB stick)', () => {
  let temp: ReturnType<typeof tempDir>;
  let source: string;
  let usb: string;
  beforeEach(() => {
    temp = tempDir('ess-af5-no-links-');
    source = path.join(temp.dir, 'app.db');
    const db = new Database(source);
    db.exec(SCHEMA);
    for (const note of NOTES) db.prepare('INSERT INTO notes VALUES (?, ?)').run(note.id, note.body);
    db.close();
    usb = path.join(temp.dir, 'usb');
    mkdirSync(usb);
  });
  afterEach(() => temp.cleanup());

  it.each(['EPERM', 'ENOTSUP'])('backup (link: %s): exit 0, a whole database, nothing else beside it', async (code) => {
    const out = path.join(usb, 'before-finals.db');
    const result = await runWithoutLinks(['backup', '--db', source, '--out', out], code);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^backed up .* \(\d+ pages\)\n$/);
    expect(readBack(out)).toEqual({ integrity: 'ok', notes: NOTES });
    expect(readdirSync(usb)).toEqual(['before-finals.db']);
  });

  it.each(['EPERM', 'ENOTSUP'])('restore (link: %s): exit 0, a whole database, nothing else beside it', async (code) => {
    const target = path.join(usb, 'restored', 'app.db');
    const result = await runWithoutLinks(['restore', '--from', source, '--db', target], code);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readBack(target)).toEqual({ integrity: 'ok', notes: NOTES });
    expect(readdirSync(path.dirname(target))).toEqual(['app.db']);
  });

  it.each([
    ['backup', (target: string) => ['backup', '--db', source, '--out', target]],
    ['restore', (target: string) => ['restore', '--from', source, '--db', target]],
  ])('%s onto a file that exists: TARGET_EXISTS, the file untouched, no temp file', async (_name, args) => {
    const target = path.join(usb, 'taken.db');
    writeFileSync(target, 'the operator’s own file');
    const result = await runWithoutLinks([...args(target), '--json'], 'EPERM');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_EXISTS' } });
    expect(readFileSync(target, 'utf8')).toBe('the operator’s own file');
    expect(readdirSync(usb)).toEqual(['taken.db']);
  });

  describe('join', () => {
    let peerDb: TempDb;
    let peer: TestServer;
    beforeEach(async () => {
      peerDb = tempDb(SCHEMA);
      peer = await startServer(makeApp({ name: 'peer', database: peerDb.db, tables: ['notes'] }));
      for (const note of NOTES) peerDb.db.prepare('INSERT INTO notes VALUES (?, ?)').run(note.id, note.body);
    });
    afterEach(async () => {
      await peer.close();
      peerDb.cleanup();
    });

    it.each(['EPERM', 'ENOTSUP'])('join (link: %s): exit 0, a whole database with the peer’s rows, nothing else beside it', async (code) => {
      const target = path.join(usb, 'new', 'app.db');
      const result = await runWithoutLinks(['join', '--from', `${peer.url}/api/sync`, '--db', target, '--token', TEST_TOKEN, '--timeout', '20000', '--json'], code);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ rowsPulled: 0 });
      expect(readBack(target)).toEqual({ integrity: 'ok', notes: NOTES });
      // Beside it, what a database the pull wrote has (its -wal, -shm and served mark), never a temp file.
      expect(readdirSync(path.dirname(target)).filter((name) => !['app.db', 'app.db-wal', 'app.db-shm', 'app.db-syncmark'].includes(name))).toEqual([]);
    });

    it('join onto a file that exists: TARGET_EXISTS, the file untouched, no temp file', async () => {
      const target = path.join(usb, 'taken.db');
      writeFileSync(target, 'the operator’s own file');
      const result = await runWithoutLinks(['join', '--from', `${peer.url}/api/sync`, '--db', target, '--token', TEST_TOKEN, '--json'], 'EPERM');
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'TARGET_EXISTS' } });
      expect(readFileSync(target, 'utf8')).toBe('the operator’s own file');
      expect(readdirSync(usb)).toEqual(['taken.db']);
      expect(existsSync(`${target}-wal`)).toBe(false);
    });
  });
});
