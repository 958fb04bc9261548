import net from 'node:net';
import { listenOn } from '../../sample-app/listen-address';
import { captureLog } from '../helpers/log';

/** The error Node's server emits when an accept fails. */
function acceptFailed(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`accept ${code}`), { code, errno: -24, syscall: 'accept' });
}

/**
 * Out of file descriptors, Node's server emits EMFILE for every accept that fails: each wake-up with a
 * connection waiting, thousands a second under load. Since 2238517 each was one warn line, so a busy app
 * out of descriptors filled its log (and the disk under it) with the same line. A code is now logged at
 * most once a minute per server; the next line of that code counts those not logged.
 */
describe('sample app: a storm of one server error is logged once a minute, with a count', () => {
  let server: net.Server;
  let clock: jest.SpyInstance<number, []>;
  let now = 1_000_000;
  beforeEach(() => {
    clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    server = net.createServer();
  });
  afterEach(async () => {
    clock.mockRestore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('1000 EMFILE errors in a row make one line; another code still gets its own', async () => {
    const log = captureLog();
    await listenOn(server, { port: 0, host: '127.0.0.1' }, log.logger);
    for (let count = 0; count < 1000; count += 1) server.emit('error', acceptFailed('EMFILE'));
    server.emit('error', acceptFailed('ECONNABORTED'));
    expect(log.events('app.server_error').map((line) => line.code)).toEqual(['EMFILE', 'ECONNABORTED']);
    expect(server.listening).toBe(true);
  });

  it('a minute later the next EMFILE is logged again, saying how many were not', async () => {
    const log = captureLog();
    await listenOn(server, { port: 0, host: '127.0.0.1' }, log.logger);
    for (let count = 0; count < 10; count += 1) server.emit('error', acceptFailed('EMFILE'));
    now += 61_000;
    server.emit('error', acceptFailed('EMFILE'));
    const lines = log.events('app.server_error');
    expect(lines.map((line) => [line.code, line.unlogged])).toEqual([
      ['EMFILE', undefined],
      ['EMFILE', 9],
    ]);
    expect(lines[1]?.msg).toContain('9 more since the last line');
  });
});
