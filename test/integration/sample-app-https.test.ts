import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp } from '../../sample-app/server';
import { tempDir } from '../helpers/temp';

function getJson(url: string, ca: Buffer, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers, servername: 'localhost' }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown }));
      })
      .on('error', reject);
  });
}

describe('sample app over HTTPS', () => {
  it('serves the sync API with TLS_CERT and TLS_KEY', async () => {
    const temp = tempDir();
    const cert = path.join(temp.dir, 'cert.pem');
    const key = path.join(temp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: 'https-token-0123456789', TLS_CERT: cert, TLS_KEY: key });
    const running = await startSampleApp(config, silentLogger);
    try {
      expect(running.url).toMatch(/^https:\/\/localhost:\d+$/);
      const port = new URL(running.url).port;
      const response = await getJson(`https://127.0.0.1:${port}/api/sync/files/checksums?path=instance`, readFileSync(cert), {
        Authorization: 'Bearer https-token-0123456789',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ root: 'instance', files: [{ path: 'settings.json' }] });
    } finally {
      await running.close();
      temp.cleanup();
    }
  });
});
