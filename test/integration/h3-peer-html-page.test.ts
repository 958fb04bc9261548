import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

// A peer URL answered by a page (the venue Wi-Fi's log-in page, another web app on that port) failed
// with "answered GET data/info with 200 and no JSON": nothing said what answered or what to do.
describe('a peer URL answered by an HTML page with 200', () => {
  let portal: TestServer | undefined;
  let db: TempDb | undefined;
  let node: SyncNode | undefined;
  let local: TestServer | undefined;
  afterEach(async () => {
    await node?.stop(0);
    await local?.close();
    await portal?.close();
    db?.cleanup();
  });

  it.each<[string, string, string, RegExp]>([
    ['a captive portal', 'text/html', '<!DOCTYPE html><html><head><title>\n  Venue Wi-Fi \u202e login </title></head><body>Accept the terms</body></html>', /with 200 and no JSON: an HTML page titled "Venue Wi-Fi login": a captive portal of the network \(open any web page in a browser on this server to log in\), or another web app at that address, not its sync API$/],
    ['a page without a title, sent as text', 'text/plain', '<html><body>hello</body></html>', /with 200 and no JSON: an HTML page: a captive portal/],
    ['a page repeating our token in its title', 'text/html', `<title>Bearer ${TEST_TOKEN}</title>`, /an HTML page titled "Bearer \*\*\*": a captive portal/],
    ['something else', 'application/octet-stream', 'GIF89a', /with 200 and no JSON: Content-Type "application\/octet-stream[^"]*"$/],
  ])('%s: the round says what answered and what to do, in its result and /status', async (_label, type, body, message) => {
    const app = express();
    app.use((_req, res) => {
      res.status(200).type(type).send(body);
    });
    portal = await startServer(app);
    db = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
    const peer = `${portal.url}/api/sync`;
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db.db, tables: ['notes'], peers: [peer] });
    local = await startServer(express().use('/api/sync', node.router));
    const [result] = await node.syncNow();
    expect(result?.error?.code).toBe('PEER_BAD_ANSWER');
    expect(result?.error?.message).toMatch(message);
    const status = (await request(local.url).get('/api/sync/status').set(AUTH).expect(200)).body as { peers: Array<{ lastError: string }> };
    expect(status.peers[0]?.lastError).toMatch(message);
  });
});
