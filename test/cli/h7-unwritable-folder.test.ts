import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/temp';
import { recordingServer, runCli } from '../helpers/h7-cli';

/** /proc takes no new files, even from root (a tmpfs cannot be made read-only without privileges a test lacks). */
const UNWRITABLE = '/proc';
const linuxOnly = process.platform === 'linux' ? it : it.skip;

/**
 * A backup or restore into a folder that takes no new file (a read-only disk,
 * someone else's folder). Before, the CLI said SQLite's "unable to open
 * database file" (SQLITE_CANTOPEN), naming neither the file nor the folder: the
 * source looked as likely a culprit as the target.
 */
describe('backup --out and restore --db in a folder that cannot be written: TARGET_INVALID naming the folder', () => {
  let temp: ReturnType<typeof tempDir>;
  let source: string;
  beforeEach(() => {
    temp = tempDir();
    source = path.join(temp.dir, 'app.db');
    const db = new Database(source);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (1)');
    db.close();
  });
  afterEach(() => temp.cleanup());

  linuxOnly.each<[string, (target: string) => string[], string]>([
    ['backup', (target) => ['backup', '--db', source, '--out', target], 'the backup'],
    ['restore', (target) => ['restore', '--from', source, '--db', target], 'the restored database'],
  ])('%s', async (_name, args, what) => {
    const target = path.join(UNWRITABLE, 'h7-never.db');
    const result = await runCli([...args(target), '--json']);
    expect(result.code).toBe(1);
    const message = `${what} cannot be written in ${UNWRITABLE}: SQLite could not create a file there (a read-only folder or disk, or one this user may not write to); write it elsewhere`;
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'TARGET_INVALID', message } });
    expect(result.stderr).toBe(`express-sqlite-sync: ${message}\n`);
    expect(existsSync(target)).toBe(false);
  });
});

/**
 * Helper n2: `join` into a folder it cannot make or write asked the peer for a whole snapshot first, then
 * failed with `SNAPSHOT_INCOMPLETE` or a raw `EACCES`; `restore` into a missing folder there said a raw error too.
 * Now both are `TARGET_INVALID` naming the folder, before anything is asked or copied.
 */
describe('join --db and restore --db in a folder that cannot be made: TARGET_INVALID naming the folder, the peer never asked', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  linuxOnly('join', async () => {
    const peer = await recordingServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"INTERNAL","message":"should not be asked"}}');
    });
    try {
      const result = await runCli(['join', '--from', peer.url, '--db', path.join(UNWRITABLE, 'n0-sub', 'app.db'), '--token', 'a-token-of-16-chars', '--json']);
      expect(result.code).toBe(1);
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('TARGET_INVALID');
      expect(error.message).toContain(`the new database cannot be written in ${UNWRITABLE}`);
      expect(peer.requests).toHaveLength(0);
    } finally {
      await peer.close();
    }
  });

  linuxOnly('restore', async () => {
    const source = path.join(temp.dir, 'app.db');
    const db = new Database(source);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    const result = await runCli(['restore', '--from', source, '--db', path.join(UNWRITABLE, 'n0-sub', 'app.db'), '--json']);
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('TARGET_INVALID');
    expect(error.message).toContain(`the restored database cannot be written in ${UNWRITABLE}`);
  });
});
