import net from 'node:net';
import { silentLogger } from '../../../lib/logger';
import { listenOn } from '../../../sample-app/listen-address';

/**
 * A listening server's 'error' (an accept that fails: EMFILE when the process runs out of file
 * descriptors, ECONNABORTED) must not end the sample app; Node keeps the server listening. listenOn
 * left its `once` listener in place after listening (b47159c): the first such error was taken by it,
 * the second found no listener and was thrown, ending the process.
 */
describe('listenOn: errors of a server already listening', () => {
  it('a second and third accept error find a listener still there (none would throw and end the process)', async () => {
    const server = net.createServer();
    await listenOn(server, { port: 0, host: '127.0.0.1' }, silentLogger);
    try {
      for (let time = 1; time <= 3; time += 1) {
        const accept = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
        expect(() => server.emit('error', accept)).not.toThrow();
      }
      expect(server.listening).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('an error before listening still rejects, naming PORT', async () => {
    const taken = net.createServer();
    await listenOn(taken, { port: 0, host: '127.0.0.1' }, silentLogger);
    const { port } = taken.address() as net.AddressInfo;
    const second = net.createServer();
    try {
      await expect(listenOn(second, { port, host: '127.0.0.1' }, silentLogger)).rejects.toThrow(`PORT=${port}: the port is in use by another program`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
