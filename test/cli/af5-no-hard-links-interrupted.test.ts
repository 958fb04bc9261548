import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDb, type TempDb } from '../helpers/data';
import { CLI } from '../helpers/h7-cli';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Without hard links, backup and join hold the target's name with a placeholder (a line of text) until the
// copy is renamed over it. Stopped by Ctrl-C between the two, the command removes its placeholder and its
// temp file, and says nothing was left behind: never a placeholder where the copy was to be, never
// "is complete". Here every link fails and each rename waits 3 s (test/helpers/af5-no-hard-links.cjs).

const PRELOAD = path.resolve(__dirname, '..', 'helpers', 'af5-no-hard-links.cjs');

interface Stopped {
  readonly exitCode: number | null;
  readonly stderr: string;
}

/** Runs the CLI until its placeholder is at `target`, then sends SIGINT. */
async function stopWhileHeld(args: readonly string[], target: string): Promise<Stopped> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '', NODE_OPTIONS: `--require ${PRELOAD}`, ESS_SLOW_RENAME_MS: '3000' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const held = (): boolean => existsSync(target) && readFileSync(target, 'utf8').startsWith('express-sqlite-sync (run ');
  for (let waited = 0; !held() && child.exitCode === null && waited < 30_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(held()).toBe(true);
  child.kill('SIGINT');
  return { exitCode: await exited, stderr };
}

describe('backup and join without hard links, stopped while the placeholder holds the name', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-af5-no-links-stop-');
  });
  afterEach(() => temp.cleanup());

  it('backup: exit 130, nothing left behind (no placeholder, no temp file)', async () => {
    const source = path.join(temp.dir, 'app.db');
    const db = new Database(source);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    db.close();
    const usb = path.join(temp.dir, 'usb');
    mkdirSync(usb);
    const out = path.join(usb, 'before-finals.db');
    const stopped = await stopWhileHeld(['backup', '--db', source, '--out', out], out);
    expect(stopped).toEqual({ exitCode: 130, stderr: 'express-sqlite-sync: backup stopped by SIGINT; nothing was left behind\n' });
    expect(readdirSync(usb)).toEqual([]);
  });

  describe('join', () => {
    let peerDb: TempDb;
    let peer: TestServer;
    beforeEach(async () => {
      peerDb = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
      peer = await startServer(makeApp({ name: 'peer', database: peerDb.db, tables: ['notes'] }));
      peerDb.db.prepare("INSERT INTO notes VALUES ('n1', 'one')").run();
    });
    afterEach(async () => {
      await peer.close();
      peerDb.cleanup();
    });

    it('join: exit 130, nothing left behind, the folder it made removed', async () => {
      const target = path.join(temp.dir, 'usb', 'new', 'app.db');
      const stopped = await stopWhileHeld(['join', '--from', `${peer.url}/api/sync`, '--db', target, '--token', TEST_TOKEN], target);
      expect(stopped).toEqual({ exitCode: 130, stderr: 'express-sqlite-sync: join stopped by SIGINT; nothing was left behind\n' });
      expect(existsSync(path.join(temp.dir, 'usb'))).toBe(false);
    });
  });
});
