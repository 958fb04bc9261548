import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** util-linux `script` runs the CLI in a terminal, where its progress bars show (and hide the cursor). */
const SCRIPT = '/usr/bin/script';
const hasScript = existsSync(SCRIPT);
if (!hasScript && process.env.CI !== 'true') console.warn(`${SCRIPT} is missing: the interrupted-sync terminal tests are skipped (they fail under CI=true)`);
const withTerminal = hasScript || process.env.CI === 'true' ? describe : describe.skip;

withTerminal('sync stopped by Ctrl-C in a terminal', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A round that reports progress once, then goes on for ever.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ type: 'progress', progress: { peer: 'http://laptop-b:5000/api/sync', phase: 'pull', done: 1, total: 10 } })}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives the terminal its cursor back, says so in one line and exits 130', async () => {
    // Ctrl-C reaches the whole foreground group, the shell included: dash (CI's /bin/sh) would
    // exit before its echo. A trap keeps the shell going; the CLI gets SIGINT's default back on exec.
    const command = `trap ':' INT; '${process.execPath}' '${CLI}' sync --url ${url}; echo "exit code $?"`;
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SYNC_TOKEN: 'test-token-0123456789abcdef' } });
    let output = '';
    const barShown = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(HIDE_CURSOR) && output.includes('pull 1/10')) resolve();
      });
    });
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000); // a hung CLI fails the test; 20 s was less than a start can take on a loaded machine
    try {
      await Promise.race([barShown, closed]); // a CLI that ended first fails the expectations below, not the test's timeout
      expect(output).toContain('pull 1/10');
      child.stdin.write('\u0003'); // Ctrl-C, typed in the terminal
      await closed;
    } finally {
      clearTimeout(timer);
    }
    const after = output.slice(output.lastIndexOf(HIDE_CURSOR));
    expect(after).toContain(SHOW_CURSOR);
    expect(after).toMatch(/express-sqlite-sync: sync stopped by SIGINT; the server goes on with the round it started \(see `npx express-sqlite-sync status`\)\r\nexit code 130/);
  }, 120_000);
});
