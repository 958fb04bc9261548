import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { SyncClient } from '../../lib/peers/sync-client';
import { makeRoots } from '../helpers/file-roots';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: SYNC_PEERS=http://10.0.0.2:5000 for a peer that serves HTTPS (TLS_CERT set there)
// failed every round with "… is unreachable (socket hang up); it is retried with backoff": the peer was
// reached, it just speaks TLS and closed the plain request, and nothing pointed at the scheme (the CLI
// says "Or does it speak HTTPS?" for the same failure; the round's message, /status and the log did not).
describe('af4: an http:// peer URL for a peer that serves HTTPS', () => {
  let temp: ReturnType<typeof tempDir>;
  let servers: Array<http.Server | https.Server>;
  beforeAll(() => {
    temp = tempDir('ess-af4-https-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(temp.dir, 'key.pem'), '-out', path.join(temp.dir, 'cert.pem')], { stdio: 'ignore' });
  });
  beforeEach(() => {
    servers = [];
  });
  afterEach(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  afterAll(() => temp.cleanup());

  async function listen(server: http.Server | https.Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function roundWith(url: string): Promise<{ code?: string; message?: string }> {
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, files: { roots: resolveSyncRoots(makeRoots(path.join(temp.dir, `roots-${servers.length}`))), policy: createFilePolicy(), cache: new ManifestCache() }, stateDir: path.join(temp.dir, `state-${servers.length}`) });
    try {
      const [result] = await client.syncAll();
      return { code: result?.error?.code, message: result?.error?.message };
    } finally {
      await client.stop();
    }
  }

  it('the round says the peer may serve HTTPS and to use https://', async () => {
    const port = await listen(https.createServer({ key: readFileSync(path.join(temp.dir, 'key.pem')), cert: readFileSync(path.join(temp.dir, 'cert.pem')) }, (_req, res) => res.end('{}')));
    const error = await roundWith(`http://127.0.0.1:${port}`);
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toBe(
      `http://127.0.0.1:${port}/api/sync is unreachable (socket hang up); if it serves HTTPS, use https:// in its URL (SYNC_PEERS in the sample app): an HTTPS server closes a plain http:// request so. It is retried with backoff while periodic syncs run`,
    );
  });

  it('a peer that answered and was then cut off gets no such hint (control)', async () => {
    const port = await listen(http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"a":');
      setImmediate(() => res.destroy());
    }));
    const error = await roundWith(`http://127.0.0.1:${port}`);
    expect(error.message).not.toContain('https://');
  });
});
