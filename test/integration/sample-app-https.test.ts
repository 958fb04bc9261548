import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { tempDir } from '../helpers/temp';

const TOKEN = 'https-token-0123456789';

function getJson(url: string, ca: Buffer, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown }));
      })
      .on('error', reject);
  });
}

describe('sample app over HTTPS', () => {
  let temp: ReturnType<typeof tempDir>;
  let cert: string;
  let key: string;
  const running: RunningSampleApp[] = [];

  beforeAll(() => {
    temp = tempDir();
    cert = path.join(temp.dir, 'cert.pem');
    key = path.join(temp.dir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
  });
  afterAll(async () => {
    for (const app of running) await app.close();
    temp.cleanup();
  });

  function start(name: string, extra: Record<string, string> = {}): Promise<RunningSampleApp> {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, name), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TOKEN, TLS_CERT: cert, TLS_KEY: key, ...extra });
    return startSampleApp(config, silentLogger).then((app) => {
      running.push(app);
      return app;
    });
  }

  it('serves the sync API with TLS_CERT and TLS_KEY, and syncs with a peer trusted through SYNC_PEER_CA', async () => {
    const a = await start('a');
    expect(a.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(a.url).port;
    const listing = await getJson(`https://127.0.0.1:${port}/api/sync/files/checksums?path=instance`, readFileSync(cert), { Authorization: `Bearer ${TOKEN}` });
    expect(listing).toMatchObject({ status: 200, body: { root: 'instance', files: [{ path: 'settings.json' }] } });

    a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('9d0c3c1e-6f4b-4a53-9d59-6b1f1d3c2a10', 1678, 'Citrus Circuits');
    const b = await start('b', { SYNC_PEERS: `https://127.0.0.1:${port}`, SYNC_PEER_CA: cert });
    const results = await b.sync.syncNow();
    expect(results).toMatchObject([{ ok: true, rowsPulled: 1 }]);
    expect(b.db.prepare('SELECT name FROM teams').pluck().all()).toEqual(['Citrus Circuits']);
  });

  it('fails clearly when the peer certificate is not trusted', async () => {
    const a = running[0] as RunningSampleApp;
    const c = await start('c', { SYNC_PEERS: `https://127.0.0.1:${new URL(a.url).port}` });
    const [result] = await c.sync.syncNow();
    expect(result).toMatchObject({ ok: false, error: { code: expect.stringMatching(/SELF_SIGNED|CERT/) } });
    // The message names the fix: the option and the sample app's variable.
    expect(result?.error?.message).toMatch(/not trusted.*`peerCa` \(SYNC_PEER_CA=<file> in the sample app\)/);
    const [status] = c.sync.client?.peerStatuses() ?? [];
    expect(status).toMatchObject({ state: 'failing', lastError: expect.stringContaining('SYNC_PEER_CA') });
  });
});
