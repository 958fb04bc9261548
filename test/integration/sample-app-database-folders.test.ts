import { cpSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** A real sample app whose sync API also lists `instance/app.db-wal/x` and serves bytes for it: an old or hostile peer. */
function hostilePeer(dataDir: string): { readonly app: express.Express; readonly db: Database.Database } {
  const db = openSampleDatabase(dataDir);
  const inner = createSampleApp({ dataDir, db, token: TEST_TOKEN, logger: silentLogger }).app;
  const app = express();
  app.get('/api/sync/files/checksums', (req, res, next) => {
    if (req.query.path !== 'instance') return next();
    res.json({ root: 'instance', path: '', files: [{ path: 'app.db-wal/x', size: 4, mtimeMs: 0, sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }] });
  });
  app.get('/api/sync/files/download', (req, res, next) => {
    if (req.query.path !== 'instance/app.db-wal/x') return next();
    res.type('application/octet-stream').send('test');
  });
  app.use(inner);
  return { app, db };
}

describe('a peer that lists instance/app.db-wal/x', () => {
  let temp: ReturnType<typeof tempDir>;
  let servers: TestServer[];
  let dbs: Database.Database[];

  beforeEach(() => {
    temp = tempDir();
    servers = [];
    dbs = [];
  });
  afterEach(async () => {
    for (const server of servers) await server.close();
    for (const db of dbs) if (db.open) db.close();
    temp.cleanup();
  });

  it('cannot stop this server from opening its database after a sync', async () => {
    const peerConfig = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'peer'), SYNC_TOKEN: TEST_TOKEN });
    const peer = hostilePeer(peerConfig.dataDir);
    dbs.push(peer.db);
    const peerServer = await startServer(peer.app);
    servers.push(peerServer);

    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'here'), SYNC_TOKEN: TEST_TOKEN });
    const db = openSampleDatabase(config.dataDir);
    dbs.push(db);
    const here = createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers: [`${peerServer.url}/api/sync`] });
    const [result] = await here.sync.syncNow();
    await here.sync.stop();
    expect(JSON.stringify(result)).toContain('PEER_LISTED_DATABASE');
    expect(result?.ok).toBe(false);
    // app.db-wal may be there as SQLite's own WAL file, never as a folder.
    expect(lstatSync(path.join(config.dataDir, 'instance', 'app.db-wal'), { throwIfNoEntry: false })?.isDirectory() ?? false).toBe(false);
    db.close();

    // "Restart": the database opens and answers.
    const reopened = openSampleDatabase(config.dataDir);
    dbs.push(reopened);
    expect(reopened.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
    reopened.close();

    // Control: had the folder been created, SQLite could not have opened the database.
    const copy = path.join(temp.dir, 'copy');
    cpSync(path.join(config.dataDir, 'instance'), copy, { recursive: true });
    mkdirSync(path.join(copy, 'app.db-journal'));
    expect(() => {
      const broken = new Database(path.join(copy, 'app.db'));
      try {
        broken.pragma('journal_mode = WAL');
        broken.prepare('SELECT count(*) FROM teams').get();
      } finally {
        broken.close();
      }
    }).toThrow();
  });
});
