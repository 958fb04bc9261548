import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { readNats } from '../../sample-app/nats-config';

/**
 * SYNC_NATS_URL=4222 (a port alone, as `-p 4222` is given to nats-server) was taken: the client reads a number
 * alone as a host name, an IPv4 address in its old short form (0.0.16.126), so every round waited
 * `requestTimeoutMs` and said 'no NATS server answered at 4222: timeout' (or named whatever answers at that
 * address), never that the host was missing.
 */
describe('af3: a NATS URL that is a port alone', () => {
  it.each(['4222', '4222, nats://10.0.0.2:4222', ['nats://10.0.0.1:4222', '4222']])('af3-nats-url-bare-port: %j is refused when the options are read, naming the fix', (servers) => {
    expect(() => resolveNatsOptions({ servers, stream: 'FLEET' })).toThrow(/`transport\.nats\.servers`: "4222" is a port without a host \(a number alone is read as a host name\); write nats:\/\/host:4222/);
  });

  it('af3-nats-url-bare-port: the sample app refuses SYNC_NATS_URL=4222 at its start, naming the variable', () => {
    expect(() => readNats({ SYNC_NATS_URL: '4222' })).toThrow(/SYNC_NATS_URL \(`transport\.nats\.servers`\): an entry has no host \(write nats:\/\/host:4222\)/);
  });

  it.each(['localhost', 'localhost:4222', 'nats://10.0.0.1:4222', 'nats-1:4222', 'tls://[::1]:4222'])('af3-nats-url-bare-port: %j is still taken', (servers) => {
    expect(resolveNatsOptions({ servers, stream: 'FLEET' }).servers).toHaveLength(1);
  });
});
