import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { hideSecrets, peerError } from '../../../lib/peers/peer-answer';
import { createSyncNode } from '../../../node/create-sync-node';
import { captureLog } from '../../helpers/log';

/** A short token (accepted with a `token.short` warning) that is also a word of the protocol's paths. */
const SHORT = 'sync';

describe('a token under 16 characters is hidden where it stands as a credential, and nowhere else', () => {
  it('leaves the words and paths of a message that holds the token text as they are', () => {
    const text = 'POST /api/sync/data/push: the sync of table syncs refused';
    expect(hideSecrets(text, [SHORT])).toBe(text);
    expect(hideSecrets('a peer answered: a bad page', ['a'])).toBe('a peer answered: a bad page');
  });

  it.each([
    ['Authorization: Bearer sync; next', 'Authorization: Bearer ***; next'],
    ['authorization=Bearer%20sync&x=1', 'authorization=Bearer%20***&x=1'],
    ['{"authorization":"sync"}', '{"authorization":"***"}'],
    ['x-sync-token: sync', 'x-sync-token: ***'],
    ['GET /api/sync/status?t=sync#top', 'GET /api/sync/status?t=***#top'],
    ['GET /api/sync/status?a=1&token=c3luYw', 'GET /api/sync/status?a=1&token=***'],
    ['Basic c3luYw==.', 'Basic ***.'],
    ['http://u:sync@10.0.0.2/api/sync', 'http://u:***@10.0.0.2/api/sync'],
    ['http://sync@10.0.0.2/api/sync', 'http://***@10.0.0.2/api/sync'],
    ['http://sync:pw@10.0.0.2/api/sync', 'http://***:pw@10.0.0.2/api/sync'],
  ])('hides it in %j', (text, hidden) => {
    expect(hideSecrets(text, [SHORT])).toBe(hidden);
  });

  it('hides a short token holding a separator (; & " , >) whole, where it stands as a credential', () => {
    expect(hideSecrets('Authorization: Bearer ab;cd, then /ab;cd/', ['ab;cd'])).toBe('Authorization: Bearer ***, then /ab;cd/');
    expect(hideSecrets('{"authorization":"x&y\\"z"}', ['x&y\\"z'])).toBe('{"authorization":"***"}');
  });

  it('leaves another credential that only starts with the token', () => {
    expect(hideSecrets('Bearer syncopation', [SHORT])).toBe('Bearer syncopation');
  });

  it('still hides a token of 16 characters or more wherever it appears', () => {
    const long = '0123456789abcdef';
    expect(hideSecrets(`got ${long} in /api/${long}/`, [long, SHORT])).toBe('got *** in /api/***/');
  });

  it("keeps a peer's error message readable while hiding the echoed header", () => {
    const error = peerError({ error: { code: 'UNAUTHORIZED', message: 'POST /api/sync/data/push: wrong Authorization: Bearer sync' } }, 401, 'push', [SHORT]);
    expect(error.message).toBe('push: POST /api/sync/data/push: wrong Authorization: Bearer ***');
  });

  it('a sync node with a short token: the sync.failed line of a real peer echoing the header keeps /api/sync/ and hides the token', async () => {
    const peer = http.createServer((req, res) => {
      const message = `proxy refused ${req.url ?? ''} with header Authorization: ${req.headers.authorization ?? ''}`;
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'BAD_REQUEST', message } }));
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const db = new Database(':memory:');
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    const log = captureLog();
    const url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/api/sync`;
    const node = createSyncNode({ token: SHORT, logger: log.logger, database: db, tables: ['notes'], peers: [url] });
    try {
      const [result] = (await node.client?.syncAll()) ?? [];
      expect(result?.ok).toBe(false);
      const [failed] = log.events('sync.failed');
      expect(failed?.msg).toMatch(/proxy refused \/api\/sync\/\S+ with header Authorization: Bearer \*\*\*/);
    } finally {
      await node.client?.stop();
      db.close();
      peer.closeAllConnections();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
  });
});
