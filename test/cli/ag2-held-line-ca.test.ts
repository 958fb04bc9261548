import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, runCli } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

const sh = promisify(execFile);
const PEER = 'https://10.0.0.3:5000/api/sync';
const HELD = { peer: PEER, root: 'uploads', side: 'here', count: 3, files: 4, percent: 75, maxDeletePercent: 50, examples: ['uploads/a.jpg'], heldAt: '2026-12-06T06:00:00.000Z' };
const RESULT = { peer: PEER, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 4, heldDeletions: [HELD] };

/** A self-signed certificate for 127.0.0.1 in `dir` (its file name with a space, as a careless operator's folder has). */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'my ca.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ag2', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

// Found by helper ag2: against a server with a self-signed certificate, `status` and `sync` (run with `--ca`)
// printed "If that is intended: express-sqlite-sync confirm-deletions --url https://… --peer … --root …"
// without `--ca`: the command, copied as it was meant to be, failed with "self-signed certificate; pass --ca".
// The printed command now carries the `--ca` it was given, quoted for the shell.
describe('ag2: the confirm-deletions command printed for a held root keeps --ca', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: https.Server;
  let url: string;
  let ca: string;
  const confirms: string[] = [];
  beforeAll(async () => {
    temp = tempDir();
    const served = selfSigned(temp.dir);
    ca = served.cert;
    server = https.createServer({ cert: readFileSync(served.cert), key: readFileSync(served.key) }, (req, res) => {
      res.setHeader('content-type', req.url?.includes('stream=ndjson') === true ? 'application/x-ndjson' : 'application/json');
      if (req.url === '/api/sync/status') res.end(JSON.stringify({ site: 'a'.repeat(32), seq: 0, name: null, conflicts: 0, peers: [], heldDeletions: [HELD], identityChange: null, dataError: null }));
      else if (req.url?.startsWith('/api/sync/run') === true) res.end(`${JSON.stringify({ type: 'results', results: [RESULT] })}\n`);
      else if (req.url === '/api/sync/deletions/confirm') {
        confirms.push(req.url);
        res.end(JSON.stringify({ confirmed: [HELD], results: [{ peer: PEER, ok: true }] }));
      } else res.writeHead(404).end('{"error":{"code":"NOT_FOUND","message":"no"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it.each(['status', 'sync'])('%s: the printed command names --ca, and pasted into a shell it confirms', async (command) => {
    const printed = await runCli([command, '--url', url, '--ca', ca, '--token', 't0ken']);
    expect(printed.stderr).toBe('');
    const line = printed.stdout.split('\n').find((each) => each.includes('confirm-deletions')) ?? '';
    expect(line).toContain(`--ca '${ca}'`);
    const pasted = line.slice(line.indexOf('npx express-sqlite-sync ')).replace('npx express-sqlite-sync', `'${process.execPath}' '${CLI}'`);
    const before = confirms.length;
    const run = await sh('sh', ['-c', pasted], { env: { ...process.env, SYNC_TOKEN: 't0ken', SYNC_PEER_CA: '' } });
    expect(run.stdout).toContain('confirmed: 3 deletion(s) of 4 file(s) in uploads on this server');
    expect(confirms.length).toBe(before + 1);
  });

  it('a relative --ca is printed as an absolute path: the command works pasted in any folder', async () => {
    const printed = await runCli(['status', '--url', url, '--ca', path.basename(ca), '--token', 't0ken'], {}, path.dirname(ca));
    expect(printed.stdout).toContain(`--ca '${ca}' --peer`);
  });

  it('a CA from SYNC_PEER_CA is read again by the pasted command: no --ca is added', async () => {
    const printed = await runCli(['status', '--url', url, '--token', 't0ken'], { SYNC_PEER_CA: ca });
    expect(printed.stdout).toContain(`confirm-deletions --url ${url} --peer ${PEER} --root uploads`);
  });
});
