import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** A `/status` answer with many peers: far more text than a pipe holds. */
function bigStatus(): string {
  const peers = Array.from({ length: 2000 }, (_, i) => ({
    url: `http://p${i}.example:5000/api/sync`, name: `peer ${i}`, siteId: null, state: 'failing', running: false, lastSuccessAt: null,
    lastError: 'connect ECONNREFUSED', lastErrorCode: 'ECONNREFUSED', failures: 1, nextRunAt: null, lastContactAt: null,
    lagChanges: null, undeliveredChanges: 0, clockSkewMs: null, heldDeletions: [], lastResult: null,
  }));
  return JSON.stringify({ name: 'big', site: 'a'.repeat(32), seq: 1, conflicts: 0, peers, transports: [], refusals: [], fileConflicts: [], identity: null });
}

/** Runs the CLI with its stdout closed by the reader before anything is written, as `| head -1` does once it has its line. */
async function runWithClosedStdout(args: readonly string[]): Promise<{ exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SYNC_TOKEN: 'test-token-0123456789abcdef' } });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { exitCode, stderr };
}

describe('the CLI with its stdout closed early (`| head -1`)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const body = bigStatus();
    server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([[[]], [['--json']]])('status %j: no stack trace, exit code 0', async (extra) => {
    const { exitCode, stderr } = await runWithClosedStdout(['status', '--url', url, ...extra]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
  });

  it('a failure still says why on stderr and exits 1', async () => {
    const { exitCode, stderr } = await runWithClosedStdout(['status', '--url', `${url}/x`, '--json', '--token', 'bad token']);
    expect(stderr).toMatch(/^express-sqlite-sync: --token holds a space[^\n]*\n$/);
    expect(exitCode).toBe(1);
  });
});
