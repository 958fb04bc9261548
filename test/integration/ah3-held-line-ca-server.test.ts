import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../lib/logger';
import { logSyncResult } from '../../lib/peers/sync-log';
import type { HeldDeletion, PeerSyncResult } from '../../lib/peers/sync-status';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { put } from '../helpers/file-roots';
import { CLI } from '../helpers/h7-cli';
import { captureLog } from '../helpers/log';
import { tempDir } from '../helpers/temp';

const sh = promisify(execFile);
const TOKEN = 'ah3-held-ca-token-0123456789';
const NOTE = " (if this server's sync API is https:// with a certificate of your own CA, add --ca <CA certificate file>, or set SYNC_PEER_CA to that file: the server holds peerCa's text, not its file) or on the status page";

/** One round with one held root, for the log line alone. */
function heldRound(peer: string): PeerSyncResult {
  const held: HeldDeletion = { peer, root: 'uploads', side: 'here', count: 3, files: 4, percent: 75, maxDeletePercent: 50, examples: ['uploads/a.jpg'], heldAt: '2026-12-06T06:00:00.000Z' };
  return { peer, siteId: undefined, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 4, fileErrors: [], fileErrorCount: 0, heldDeletions: [held], error: undefined };
}

// Found by an earlier careless-operator tester, fixed by helper ah3: session 32 (418aa92, 4a5b7a6) made the CLI's printed
// confirm-deletions command repeat its --ca, but the server's own files.deletions_held line gave the command without it:
// in a fleet of HTTPS servers with a CA of its own, the pasted command failed on the certificate. The server knows it trusts
// its peers by such a CA (peerCa), but not the CA's file, its own URL, nor whether it is served over HTTPS (the README's laptops
// are http:// with peerCa, and the CLI refuses --ca with an http:// URL): with peerCa, the line says when and how to add --ca.
describe('ah3: the server-side held-deletions line says when to add --ca in a fleet with a CA of its own', () => {
  it.each([
    ['https://10.0.0.3:5000/api/sync', true],
    ['http://10.0.0.3:5000/api/sync', true],
    ['https://10.0.0.3:5000/api/sync', false],
  ])('peer %s, peerCa given: %p: the line says when to add --ca only with peerCa; the command itself never names it', (peer, customCa) => {
    const log = captureLog();
    logSyncResult(log.logger, heldRound(peer), undefined, { failures: 0, nextRunAt: undefined }, undefined, customCa);
    const msg = String(log.events('files.deletions_held')[0]?.msg);
    expect(msg).toContain(`\`npx express-sqlite-sync confirm-deletions --url <this server's sync API> --peer ${peer} --root uploads\`${customCa ? NOTE : ' or on the status page'}`);
  });

  describe('two sample apps over HTTPS with a self-signed certificate', () => {
    let temp: ReturnType<typeof tempDir>;
    let cert: string;
    const running: RunningSampleApp[] = [];
    beforeAll(() => {
      temp = tempDir('ess-ah3-held-ca-');
      cert = path.join(temp.dir, 'event ca.pem');
      const key = path.join(temp.dir, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ah3', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    });
    afterAll(async () => {
      for (const app of running) await app.close();
      temp.cleanup();
    });
    const start = async (name: string, env: Record<string, string>, logger = silentLogger): Promise<RunningSampleApp> => {
      const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, name), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TOKEN, TLS_CERT: cert, TLS_KEY: path.join(temp.dir, 'key.pem'), ...env });
      const app = await startSampleApp(config, logger);
      running.push(app);
      return app;
    };

    it('the logged command, its placeholders filled in, confirms the held deletions', async () => {
      const b = await start('b', {});
      const log = captureLog();
      const a = await start('a', { SYNC_PEERS: `${b.url}/api/sync`, SYNC_PEER_CA: cert, SYNC_INTERVAL_MS: '3600000' }, log.logger);
      const pit = (dir: string): string => path.join(dir, 'uploads', 'pit');
      const aDir = path.join(temp.dir, 'a');
      const bDir = path.join(temp.dir, 'b');
      for (let i = 0; i < 4; i += 1) put(pit(aDir), `photo-${i}.jpg`, `photo ${i}`);
      expect(await a.sync.syncNow()).toMatchObject([{ ok: true }]);
      for (let i = 0; i < 3; i += 1) rmSync(path.join(pit(bDir), `photo-${i}.jpg`));
      const [held] = await a.sync.syncNow();
      expect(held?.heldDeletions).toMatchObject([{ root: 'uploads', side: 'here', count: 3 }]);

      const msg = String(log.events('files.deletions_held')[0]?.msg);
      const command = /`(npx express-sqlite-sync confirm-deletions [^`]+)`/.exec(msg)?.[1] ?? '';
      expect(command).toBe(`npx express-sqlite-sync confirm-deletions --url <this server's sync API> --peer ${b.url}/api/sync --root uploads`);
      expect(msg).toContain(NOTE);
      // As the line says: this server's sync API (https://) with --ca added; without it the CLI cannot trust the certificate.
      const pasted = `${command.replace('npx express-sqlite-sync', `'${process.execPath}' '${CLI}'`).replace("<this server's sync API>", `${a.url}/api/sync`)} --ca '${cert}'`;
      const untrusted = await sh('sh', ['-c', pasted.replace(/ --ca .*$/, '')], { env: { ...process.env, SYNC_TOKEN: TOKEN, SYNC_PEER_CA: '' } }).catch((error: unknown) => error as { stderr: string });
      expect(untrusted.stderr).toContain('self-signed certificate: pass --ca');
      const run = await sh('sh', ['-c', pasted], { env: { ...process.env, SYNC_TOKEN: TOKEN, SYNC_PEER_CA: '' } });
      expect(run.stdout).toContain('confirmed: 3 deletion(s) of 4 file(s) in uploads on this server');
      expect(readdirSync(pit(aDir))).toEqual(['photo-3.jpg']);
    }, 60_000);
  });
});
