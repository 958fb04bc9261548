import { DEFAULTS } from '../../../lib/defaults';
import { resolveNatsOptions, resolveTransportOptions } from '../../../lib/peers/nats/nats-options';
import { createSyncNode } from '../../../node/create-sync-node';
import { silentLogger } from '../../../lib/logger';
import { trackedDb } from '../../helpers/data';

describe('transport.nats options', () => {
  it('applies the defaults from DEFAULTS.nats', () => {
    expect(resolveNatsOptions({ servers: 'nats://127.0.0.1:4222' })).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      stream: DEFAULTS.nats.stream,
      user: undefined,
      pass: undefined,
      token: undefined,
      domain: undefined,
      maxMessageBytes: 512 * 1024,
      publishIntervalMs: 50,
      replicas: 1,
      requestTimeoutMs: 10_000,
    });
  });

  it('takes the credentials out of the server URLs (nats.js does not read them there), so none is shown', () => {
    expect(resolveNatsOptions({ servers: 'nats://fleet:p%40ss@hub:4222, nats://fleet:p%40ss@hub2:4222' })).toMatchObject({ servers: ['nats://hub:4222', 'nats://hub2:4222'], user: 'fleet', pass: 'p@ss', token: undefined });
    expect(resolveNatsOptions({ servers: 'nats://s3cr3t-token@hub:4222' })).toMatchObject({ servers: ['nats://hub:4222'], token: 's3cr3t-token', user: undefined });
    expect(resolveNatsOptions({ servers: 'nats://a:b@hub:4222', user: 'given', pass: 'given-pass' })).toMatchObject({ user: 'given', pass: 'given-pass' });
    expect(() => resolveNatsOptions({ servers: 'nats://a:b@hub:4222,nats://c:d@hub2:4222' })).toThrow(/different credentials/);
  });

  it('takes a comma-separated list (as SYNC_NATS_URL gives it) or an array, and host:port', () => {
    expect(resolveNatsOptions({ servers: 'nats://a:4222, b:4222' }).servers).toEqual(['nats://a:4222', 'b:4222']);
    expect(resolveNatsOptions({ servers: ['tls://a:4222'] }).servers).toEqual(['tls://a:4222']);
  });

  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['no options', undefined, TypeError, /transport.nats. must be an object/],
    ['an array', [], TypeError, /must be an object/],
    ['no servers', {}, TypeError, /servers/],
    ['a number as servers', { servers: 4222 }, TypeError, /servers/],
    ['an empty server list', { servers: [] }, TypeError, /servers/],
    ['an empty entry in the list', { servers: ['nats://a:4222', ''] }, TypeError, /servers/],
    ['an http URL', { servers: 'http://a:4222' }, TypeError, /nats:\/\/ or tls:\/\//],
    ['a password with a bare % in the URL', { servers: 'nats://u:p%zz@a:4222' }, TypeError, /write "%" as %25/],
    ['a stream with a dot', { servers: 'a:4222', stream: 'a.b' }, TypeError, /stream/],
    ['a stream with a wildcard', { servers: 'a:4222', stream: 'FLEET*' }, TypeError, /stream/],
    ['an empty stream', { servers: 'a:4222', stream: '' }, TypeError, /stream/],
    ['a zero message size', { servers: 'a:4222', maxMessageBytes: 0 }, RangeError, /maxMessageBytes/],
    ['a tiny message size', { servers: 'a:4222', maxMessageBytes: 100 }, RangeError, /at least 4096/],
    ['a string message size', { servers: 'a:4222', maxMessageBytes: '512k' }, TypeError, /maxMessageBytes/],
    ['a fractional interval', { servers: 'a:4222', publishIntervalMs: 1.5 }, RangeError, /publishIntervalMs/],
    ['zero replicas', { servers: 'a:4222', replicas: 0 }, RangeError, /replicas/],
    ['a negative request timeout', { servers: 'a:4222', requestTimeoutMs: -1 }, RangeError, /requestTimeoutMs/],
    ['an empty password', { servers: 'a:4222', user: 'u', pass: '' }, TypeError, /pass/],
    ['a typo (a check must not be switched off silently)', { servers: 'a:4222', tokn: 'x' }, TypeError, /unknown option.*tokn/],
  ])('refuses %s, naming the option', (_name, value, type, message) => {
    expect(() => resolveNatsOptions(value)).toThrow(type);
    expect(() => resolveNatsOptions(value)).toThrow(message);
  });

  it.each<[string, unknown, RegExp]>([
    ['a string', 'nats://a:4222', /`transport` must be an object/],
    ['an unknown transport', { kafka: {} }, /unknown option.*kafka/],
  ])('refuses `transport` as %s', (_name, value, message) => {
    expect(() => resolveTransportOptions(value)).toThrow(message);
  });

  it('createSyncNode refuses NATS without a database (it carries data), and names the stream in its checks', () => {
    const temp = trackedDb();
    try {
      const roots = { uploads: `${temp.file}-uploads` };
      expect(() => createSyncNode({ allowUnauthenticatedPeers: true, logger: silentLogger, roots, transport: { nats: { servers: 'a:4222' } } })).toThrow(/needs `database`/);
      // with nothing else either (no roots, no peers): the message is about NATS, not about `peers` the user never gave
      expect(() => createSyncNode({ allowUnauthenticatedPeers: true, logger: silentLogger, transport: { nats: { servers: 'a:4222' } } })).toThrow(/`transport.nats` carries data: it needs `database`/);
      expect(() =>
        createSyncNode({ allowUnauthenticatedPeers: true, logger: silentLogger, database: temp.db, tables: ['teams'], transport: { nats: { servers: 'a:4222', stream: 'no spaces' } } }),
      ).toThrow(/transport.nats.stream/);
    } finally {
      temp.cleanup();
    }
  });

  it('createSyncNode with NATS and no peers has a sync client whose transports name the stream, never its credentials; nothing connects before start', async () => {
    const temp = trackedDb();
    const servers = ['nats://fleet:hunter2-secret@127.0.0.1:1', 'fleet:hunter2-secret@127.0.0.1:2'];
    const node = createSyncNode({ allowUnauthenticatedPeers: true, logger: silentLogger, database: temp.db, tables: ['teams', 'reports'], transport: { nats: { servers, stream: 'FLEET' } } });
    try {
      expect(node.client?.transports).toEqual(['nats:FLEET']);
      const statuses = node.client?.transportStatuses();
      expect(statuses).toEqual([expect.objectContaining({ kind: 'nats', name: 'nats:FLEET', state: 'idle', position: 0 })]);
      expect(statuses?.[0]?.nats?.servers).toEqual(['nats://127.0.0.1:1', '127.0.0.1:2']);
      expect(JSON.stringify(statuses)).not.toMatch(/hunter/);
    } finally {
      await node.stop();
      temp.cleanup();
    }
  });
});
