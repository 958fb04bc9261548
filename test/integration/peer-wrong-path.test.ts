import express from 'express';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDb, type TempDb } from '../helpers/data';
import { enableCapture } from '../../lib/data/capture';

describe('a peer URL whose path is not the sync API says what to fix', () => {
  let peer: SampleServer;
  let local: TempDb;
  let client: SyncClient | undefined;
  beforeEach(async () => {
    peer = await startSampleServer();
    local = tempDb();
    local.db.exec('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT)');
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    local.cleanup();
    await peer.close();
  });

  it.each([['/api'], ['/sync'], ['/api/sink']])('SYNC_PEERS=http://host:port%s: the failure asks whether it is the peer\'s sync API and gives the usual URL', async (suffix) => {
    const url = `${peer.url}${suffix}`;
    const tracker = enableCapture(local.db, { tables: ['teams'] });
    client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: tracker });
    const result = await client.syncPeer(url);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/Is http:\/\/127\.0\.0\.1:\d+\/\S+ the peer's sync API\? Its URL is usually http:\/\/host:port\/api\/sync, or just http:\/\/host:port/);
  });
});

describe('PEER_ERROR says the status the peer answered', () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it.each<[string, (res: express.Response) => void, RegExp]>([
    ['a JSON error whose code is not a code', (res) => res.status(418).json({ error: { code: 'not a code', message: 'teapot' } }), /: peer answered 418: teapot$/],
    ['a page of a proxy', (res) => res.status(400).type('html').send('<html>Bad request</html>'), / with 400 and no JSON error of its own \(a proxy's page\?\)$/],
    ['a proxy\'s 502 page: the server behind it is down', (res) => res.status(502).type('html').send('<html>Bad gateway</html>'), / with 502 and no JSON error of its own \(a proxy or gateway in front of the peer: the peer's server behind it is down/],
    ['a gateway\'s empty 504', (res) => res.status(504).end(), / with 504 and no JSON error of its own \(a proxy or gateway in front of the peer/],
  ])('%s', async (_label, answer, message) => {
    const app = express();
    app.get('/api/sync/data/info', (_req, res) => answer(res));
    server = await startServer(app);
    const db: TempDb = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
    try {
      const tracker = enableCapture(db.db, { tables: ['notes'] });
      const client = new SyncClient({ logger: silentLogger, peers: [`${server.url}/api/sync`], token: TEST_TOKEN, data: tracker });
      const result = await client.syncPeer(`${server.url}/api/sync`);
      await client.stop();
      expect(result.error?.code).toBe('PEER_ERROR');
      expect(result.error?.message).toMatch(message);
    } finally {
      db.cleanup();
    }
  });
});
