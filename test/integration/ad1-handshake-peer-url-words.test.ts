import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import type { SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA } from '../helpers/data';
import { makeApp, type TestServer } from '../helpers/server';
import { TEMP_NODE_TABLES, tempNodes } from '../helpers/temp-nodes';

const TABLES = TEMP_NODE_TABLES;

/**
 * The handshake's messages (SAME_SITE_ID, DUPLICATE_SITE_ID, SCHEMA_MISMATCH,
 * PROTOCOL_MISMATCH, a rewind or clone found by a peer) named the peer by its
 * base URL with a trailing `/` ("http://…/api/sync/ is this server itself:
 * remove it from its peers"), while `/status`, the status page, the CLI and
 * every other message name it without one, as it is listed: the operator read
 * two spellings of one peer side by side. They now name it as listed.
 */
describe('handshake failures name the peer as /status lists it', () => {
  const nodes = tempNodes('ad1-peer-url-');
  const open = (name: string): Database.Database => nodes.open(name);
  let made = 0;
  const node = (db: Database.Database, peers: string[]): SyncNode => nodes.node(db, String((made += 1)), peers);
  const serve = (app: express.Express): Promise<TestServer> => nodes.serve(app);

  it('a server listing itself: SAME_SITE_ID names the URL as listed', async () => {
    const app = express();
    const server = await serve(app);
    const self = node(open('self'), [server.url]);
    app.use('/api/sync', self.router);
    const [result] = await self.syncNow();
    const listed = self.client?.peerStatuses()[0]?.url;
    expect(listed).toBe(`${server.url}/api/sync`);
    expect(result?.error?.code).toBe('SAME_SITE_ID');
    expect(result?.error?.message).toBe(`${listed} is this server itself: remove it from its peers (\`peers\`, SYNC_PEERS in the sample app)`);
  });

  it('another server with this server\'s own site id: SAME_SITE_ID names the URL as listed', async () => {
    const db = open('shared');
    const other = await serve(makeApp({ database: db, tables: TABLES }));
    const here = node(db, [other.url]);
    const [result] = await here.syncNow();
    expect(result?.error?.code).toBe('SAME_SITE_ID');
    expect(result?.error?.message.startsWith(`${other.url}/api/sync has this server's own site id `)).toBe(true);
  });

  it('a hub seeing two URLs answer as one site: DUPLICATE_SITE_ID names both as listed', async () => {
    const file = path.join(nodes.dir, 'one.db');
    const first = new Database(file);
    first.pragma('journal_mode = WAL');
    first.exec(TEST_SCHEMA);
    nodes.later(() => first.close());
    const second = new Database(file);
    nodes.later(() => second.close());
    const x = await serve(makeApp({ database: first, tables: TABLES }));
    const y = await serve(makeApp({ database: second, tables: TABLES }));
    const hub = node(open('hub'), [x.url, y.url]);
    const results = await hub.syncNow();
    const duplicate = results.find((result) => result.error?.code === 'DUPLICATE_SITE_ID');
    expect(duplicate?.error?.message).toMatch(
      new RegExp(`^(${x.url}/api/sync and ${y.url}/api/sync|${y.url}/api/sync and ${x.url}/api/sync) both answer as site `),
    );
  });
});
