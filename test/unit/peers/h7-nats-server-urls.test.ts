import { resolveNatsOptions } from '../../../lib/peers/nats/nats-options';
import { createSyncNode } from '../../../node/create-sync-node';
import { silentLogger } from '../../../lib/logger';
import { trackedDb } from '../../helpers/data';

/**
 * `transport.nats.servers` that no NATS server could answer at: the library
 * took them and failed late (nats.js's "Invalid URL" at the first connection,
 * or a connection to a host named after the scheme), while the sample app
 * refused them at start. They are refused when the options are read, with a
 * TypeError naming the option and the fix, never quoting a password or token.
 */
const SECRET = 'hunter2-S3cret';

function refusal(servers: unknown): Error {
  try {
    resolveNatsOptions({ servers });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`resolveNatsOptions took ${JSON.stringify(servers)}`);
}

describe('transport.nats.servers: URLs no NATS server answers at are refused when the options are read', () => {
  it.each<[string, unknown, RegExp]>([
    ['no host', 'nats://', /"nats:\/\/" has no host.*nats:\/\/host:4222/],
    ['no host, tls', 'tls://', /has no host/],
    ['no host after credentials', `nats://fleet:${SECRET}@`, /"nats:\/\/" has no host/],
    ['no host, only a port', 'nats://:4222', /has no host/],
    ['no host in the second entry', 'nats://10.0.0.1:4222,nats://', /has no host/],
    ['a URL in double quotes', '"nats://10.0.0.1:4222"', /in quotes.*remove them/],
    ['a URL in single quotes', ["'nats://10.0.0.1:4222'"], /in quotes.*remove them/],
    ['a quoted URL with credentials', `"nats://fleet:${SECRET}@10.0.0.1:4222"`, /in quotes/],
    ['a tab inside', 'nats://10.0.0.1\t:4222', /blank.*commas/],
    ['two URLs separated by a space', 'nats://10.0.0.1:4222 nats://10.0.0.2:4222', /blank.*commas/],
    ['two URLs with credentials separated by a space', `nats://fleet:${SECRET}@a:4222 nats://fleet:${SECRET}@b:4222`, /blank.*commas/],
    ['a WebSocket URL', 'ws://10.0.0.1:8080', /nats:\/\/ or tls:\/\/.*WebSocket/],
    ['a secure WebSocket URL', `wss://fleet:${SECRET}@hub:443`, /nats:\/\/ or tls:\/\//],
    ['an http URL', 'http://10.0.0.1:4222', /nats:\/\/ or tls:\/\//],
    ['a scheme with one slash (read as host "nats")', 'nats:/10.0.0.1:4222', /path.*nats:\/\/host:4222/],
    ['a path', 'nats://10.0.0.1:4222/fleet', /path/],
    ['a query', `nats://10.0.0.1:4222?token=${SECRET}`, /query/],
    ['a fragment', 'nats://10.0.0.1:4222#x', /fragment/],
    ['port 0', 'nats://10.0.0.1:0', /port 0/],
    ['a host with a quote', 'nats://"hub":4222', /host/],
  ])('refuses %s, naming the option and the fix', (_name, servers, message) => {
    const error = refusal(servers);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^express-sqlite-sync: `transport\.nats\.servers`/);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(SECRET);
  });

  it.each<[unknown, readonly string[]]>([
    ['nats://10.0.0.1:4222', ['nats://10.0.0.1:4222']],
    ['nats://10.0.0.1:4222/', ['nats://10.0.0.1:4222/']],
    ['NATS://Hub:4222', ['NATS://Hub:4222']],
    ['tls://hub.example.org:4222', ['tls://hub.example.org:4222']],
    ['hub:4222', ['hub:4222']],
    ['localhost', ['localhost']],
    ['nats://nats_server:4222', ['nats://nats_server:4222']],
    ['nats://[::1]:4222', ['nats://[::1]:4222']],
    ['[::1]:4222', ['[::1]:4222']],
    [` nats://a:4222 , nats://fleet:${SECRET}@b:4222 `, ['nats://a:4222', 'nats://b:4222']],
    [['tls://a:4222', 'b'], ['tls://a:4222', 'b']],
  ])('takes %j', (servers, expected) => {
    expect(resolveNatsOptions({ servers }).servers).toEqual(expected);
  });

  it('createSyncNode refuses such a URL at once (before anything connects), naming transport.nats.servers', () => {
    const temp = trackedDb();
    try {
      expect(() => createSyncNode({ allowUnauthenticatedPeers: true, logger: silentLogger, database: temp.db, tables: ['teams'], transport: { nats: { servers: `"nats://fleet:${SECRET}@127.0.0.1:4222"` } } })).toThrow(
        /`transport\.nats\.servers`.*in quotes/,
      );
    } finally {
      temp.cleanup();
    }
  });
});
