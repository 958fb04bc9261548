import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { createSyncRouter } from '../../index';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

describe('join stopped by Ctrl-C once its snapshot is in place', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let server: Server;
  let url: string;
  beforeEach(async () => {
    temp = tempDir();
    db = new Database(path.join(temp.dir, 'peer.db'));
    db.exec("CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); INSERT INTO notes VALUES ('n1', 'pit')");
    const app = express();
    // The snapshot is served; the pull after it never gets an answer.
    app.get('/api/sync/data/changes', () => undefined);
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: db, tables: ['notes'] }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.close();
    temp.cleanup();
  });

  it('says the database is in place, for a --db that walks through a missing folder (missing/../app.db is app.db)', async () => {
    const child = spawn(process.execPath, [CLI, 'join', '--from', url, '--db', 'missing/../app.db', '--token', TEST_TOKEN], { cwd: temp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const placed = path.join(temp.dir, 'app.db');
    for (let waited = 0; !existsSync(placed); waited += 20) {
      if (waited > 15_000) throw new Error(`the snapshot was not put in place; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('join stopped by SIGINT; missing/../app.db is in place, the server catches up at its first sync');
    expect(existsSync(placed)).toBe(true);
  });

  it('does not call a database another process put there meanwhile its own: nothing of this join was left behind', async () => {
    const hanging = express();
    let asked: () => void = () => undefined;
    const snapshotAsked = new Promise<void>((resolve) => (asked = resolve));
    hanging.get('/api/sync/data/snapshot', () => asked()); // and never answered: the download never starts
    hanging.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, database: db, tables: ['notes'] }));
    const slow = createServer(hanging);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, [CLI, 'join', '--from', `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, '--db', 'app.db', '--token', TEST_TOKEN], { cwd: temp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // The join is waiting for its snapshot (its temp path reserved) when another join puts its own database in place.
      await snapshotAsked;
      const other = new Database(path.join(temp.dir, 'app.db'));
      other.exec('CREATE TABLE t (x)');
      other.close();
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('join stopped by SIGINT; nothing was left behind');
      expect(existsSync(path.join(temp.dir, 'app.db'))).toBe(true); // the other process's file is left alone
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
