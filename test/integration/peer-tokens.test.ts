import Database from 'better-sqlite3';
import express from 'express';
import { createSyncNode, type SyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { startServer, type TestServer } from '../helpers/server';

/** Issue 5: "a sync client a server runs against its peers (URL and token each)". */
const TOKEN_OF_A = 'token-of-a-0123456789abcdef';
const TOKEN_OF_B = 'token-of-b-0123456789abcdef';

function notesDatabase(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
  return db;
}

describe('peers given as { url, token }', () => {
  const dbs: Database.Database[] = [];
  const nodes: SyncNode[] = [];
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
    for (const server of servers.splice(0)) await server.close();
    for (const db of dbs.splice(0)) db.close();
  });

  async function serverA(): Promise<{ db: Database.Database; url: string }> {
    const db = notesDatabase();
    dbs.push(db);
    const node = createSyncNode({ token: TOKEN_OF_A, logger: silentLogger, database: db, tables: ['notes'] });
    nodes.push(node);
    const server = await startServer(express().use('/api/sync', node.router));
    servers.push(server);
    return { db, url: server.url };
  }

  function nodeB(peers: NonNullable<Parameters<typeof createSyncNode>[0]['peers']>): { db: Database.Database; node: SyncNode } {
    const db = notesDatabase();
    dbs.push(db);
    const node = createSyncNode({ token: TOKEN_OF_B, logger: silentLogger, database: db, tables: ['notes'], peers });
    nodes.push(node);
    return { db, node };
  }

  it('sends each peer its own token, and the shared one to a peer given as a bare URL', async () => {
    const a = await serverA();
    a.db.prepare("INSERT INTO notes VALUES ('n1', 'from A')").run();
    const own = nodeB([{ url: a.url, token: TOKEN_OF_A }]);
    expect(own.node.client?.peers).toEqual([`${a.url}/api/sync`]);
    expect(await own.node.syncNow()).toEqual([expect.objectContaining({ ok: true, rowsPulled: 1 })]);
    expect(own.db.prepare('SELECT body FROM notes').pluck().all()).toEqual(['from A']);
    const shared = nodeB([a.url]);
    expect(await shared.node.syncNow()).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'UNAUTHORIZED' }) })]);
  });

  it.each<[string, string]>([
    ['a space', 'bad token secret value'],
    ['a character outside ASCII', 'bad-token-\u00e9-secret-value'],
    ['a line break (a header injection)', 'secret-value-1234\r\nX-Evil: 1'],
  ])('refuses a peer token with %s at construction, as the shared token is (every round failed with a misleading 401 or ERR_INVALID_CHAR)', (_label, token) => {
    expect(() => nodeB([{ url: 'http://10.0.0.2:5000', token }])).toThrow(RangeError);
    expect(() => nodeB([{ url: 'http://10.0.0.2:5000', token }])).toThrow(/token of peer http:\/\/10\.0\.0\.2:5000\/api\/sync holds a space, a control character or a character outside ASCII/);
  });

  it('warns once about a short peer token (token.short), naming the peer, not the token', () => {
    const warnings: { detail: object; message: string }[] = [];
    const db = notesDatabase();
    dbs.push(db);
    const logger = { ...silentLogger, warn: (detail: object, message: string) => warnings.push({ detail, message }) };
    nodes.push(createSyncNode({ token: TOKEN_OF_B, logger, database: db, tables: ['notes'], peers: [{ url: 'http://10.0.0.2:5000', token: 'pit-crew' }] }));
    expect(warnings.filter(({ detail }) => (detail as { event?: string }).event === 'token.short')).toEqual([
      { detail: { event: 'token.short' }, message: expect.stringMatching(/the token of peer http:\/\/10\.0\.0\.2:5000\/api\/sync has 8 characters/) },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('pit-crew');
  });

  it('warns once about a peer token wrapped in quotes (token.quoted), naming the peer, not the token', () => {
    const warnings: { detail: object; message: string }[] = [];
    const db = notesDatabase();
    dbs.push(db);
    const logger = { ...silentLogger, warn: (detail: object, message: string) => warnings.push({ detail, message }) };
    nodes.push(createSyncNode({ token: TOKEN_OF_B, logger, database: db, tables: ['notes'], peers: [{ url: 'http://10.0.0.2:5000', token: "'pit-crew-secret-0123'" }] }));
    expect(warnings.filter(({ detail }) => (detail as { event?: string }).event === 'token.quoted')).toEqual([
      { detail: { event: 'token.quoted' }, message: expect.stringMatching(/the token of peer http:\/\/10\.0\.0\.2:5000\/api\/sync starts and ends with '; .*remove them/) },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('pit-crew');
  });

  it.each<[string, unknown, RegExp]>([
    ['another key', { url: 'http://10.0.0.2:5000', secret: 'x' }, /has no key "secret"/],
    ['no url', { token: TOKEN_OF_A }, /needs `url`/],
    ['an empty token', { url: 'http://10.0.0.2:5000', token: '' }, /token of peer http:\/\/10\.0\.0\.2:5000\/api\/sync must be a non-empty string/],
    ['a number', 5, /every peer must be a URL string, or \{ url, token \}/],
  ])('refuses a peer with %s, naming it', (_label, peer, message) => {
    expect(() => nodeB([peer as string])).toThrow(TypeError);
    expect(() => nodeB([peer as string])).toThrow(message);
  });
});
