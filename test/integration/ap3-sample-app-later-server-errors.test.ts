import net from 'node:net';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { listenOn } from '../../sample-app/listen-address';
import { startSampleApp } from '../../sample-app/server';
import { captureLog, LEVEL } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** The error Node's server emits when an accept fails: the process is out of file descriptors. */
function acceptFailed(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`accept ${code}`), { code, errno: -24, syscall: 'accept' });
}

/**
 * An error of the sample app's server once it listens (an accept that fails: EMFILE, ECONNABORTED; Node
 * keeps listening) was taken by listenOn's 'error' listener and dropped: the app went on, but the operator
 * never learned that connections were being refused. Each is now one warn line, `app.server_error`,
 * naming the code (no stack), and the app keeps serving.
 */
describe('sample app: errors of its server once it listens are logged, and it keeps serving', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-ap3-later-errors-');
  });
  afterEach(() => temp.cleanup());

  it('a running sample app logs each later error of its server on one line naming the code, and still answers', async () => {
    const log = captureLog();
    const running = await startSampleApp(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), PORT: '0', HOST: '127.0.0.1', SYNC_TOKEN: TEST_TOKEN }), log.logger);
    try {
      running.server.emit('error', acceptFailed('EMFILE'));
      running.server.emit('error', acceptFailed('ECONNABORTED'));
      const lines = log.events('app.server_error');
      expect(lines.map((line) => [line.level, line.code])).toEqual([
        [LEVEL.warn, 'EMFILE'],
        [LEVEL.warn, 'ECONNABORTED'],
      ]);
      for (const line of lines) {
        expect(line.msg).toContain(line.code as string);
        expect(line.msg).not.toContain('\n');
        expect(JSON.stringify(line)).not.toMatch(/\bat \S+ \(|"stack"/);
      }
      expect(running.server.listening).toBe(true);
      expect((await fetch(`${running.url}/api/sync/ui`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('listenOn logs an error without a code by its name', async () => {
    const log = captureLog();
    const server = net.createServer();
    await listenOn(server, { port: 0, host: '127.0.0.1' }, log.logger);
    try {
      server.emit('error', new TypeError('something odd'));
      expect(log.events('app.server_error').map((line) => line.code)).toEqual(['TypeError']);
      expect(server.listening).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
