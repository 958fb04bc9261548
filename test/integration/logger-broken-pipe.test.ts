import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_TOKEN } from '../helpers/server';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses, trackAppProcess } from '../helpers/k2-app-process';
import { tempDir } from '../helpers/temp';

/** A process logging with the default logger: one line, then, once told on stdin, more lines and `process.exit(0)`. */
const CHILD = `
const { createDefaultLogger } = require(${JSON.stringify(path.join(__dirname, '../../index.ts'))});
const logger = createDefaultLogger();
logger.info({ event: 'first' }, 'first');
process.stdin.once('data', () => {
  for (let i = 0; i < 20; i += 1) logger.info({ event: 'more', i }, 'more');
  process.exit(0);
});
`;

afterEach(killAppProcesses); // a test that failed before its child exited leaves none behind

describe('the default logger when the reader of stdout went away (`npm start | head`)', () => {
  it('lets the process exit (the last flush retried the broken pipe for ever)', async () => {
    const child = trackAppProcess(spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', CHILD], { cwd: path.join(__dirname, '../..'), stdio: ['pipe', 'pipe', 'inherit'] }));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy(); // the reader is gone: the next write is EPIPE
    child.stdin.end('go\n');
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(guard);
    expect(code).toBe(0);
  }, APP_PROCESS_TIMEOUT_MS);
});

describe('the sample app when the reader of its stdout went away (`npm start | head`)', () => {
  it('still stops on SIGTERM (it stayed up for good, retrying the broken pipe)', async () => {
    const temp = tempDir('ess-broken-pipe-');
    const child = trackAppProcess(
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'sample-app/server.ts'], {
        cwd: path.join(__dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN, DATA_DIR: temp.dir },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    try {
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal))); // a signal's name when one killed it
      let text = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (/^Peers: /m.test(text)) resolve(); // the banner's last line: it is up, and stops on signals
        });
      });
      const url = /^Sample app: (\S+)/m.exec(text)?.[1] ?? '';
      expect((await fetch(`${url}/api/health`)).status).toBe(200); // an answer: main() ran to its end, the signal handlers are in place
      child.stdout.destroy();
      child.kill('SIGTERM'); // logs app.stopping and app.stopped into the broken pipe, then exits
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(guard);
      expect(code).toBe(0);
    } finally {
      temp.cleanup();
    }
  }, APP_PROCESS_TIMEOUT_MS);
});
