import { randomUUID } from 'node:crypto';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner } from '../../sample-app/server';
import { dbDigest, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer } from '../helpers/nats-server';
import { tempDir } from '../helpers/temp';

/**
 * A NATS password or token with an unescaped "/" (as `openssl rand -base64`
 * makes them) written in the URL: the password was printed whole in the
 * TypeError refusing the URL ('"nats://fleet:Ab3/…@hub:4222" is not a URL'), and a
 * token was taken for the host ('nats://Ab3/…@hub' connects to host "Ab3"),
 * shown in /status `servers`, every NATS error and the sample app's banner.
 */
const PASSWORD = 'Ab3/x+Yz?q#9';
const TOKEN = 'tOk3n/with+slash';

describe('NATS credentials holding "/", "?" or "#" in the URL are taken out, never shown', () => {
  it.each([
    [`nats://fleet:${PASSWORD}@hub:4222`, { servers: ['nats://hub:4222'], user: 'fleet', pass: PASSWORD, token: undefined }],
    [`fleet:${PASSWORD}@hub:4222`, { servers: ['hub:4222'], user: 'fleet', pass: PASSWORD, token: undefined }],
    [`tls://${TOKEN}@hub:4222`, { servers: ['tls://hub:4222'], user: undefined, pass: undefined, token: TOKEN }],
    ['nats://fleet:p%40ss@hub:4222', { servers: ['nats://hub:4222'], user: 'fleet', pass: 'p@ss', token: undefined }],
  ])('%s', (servers, expected) => {
    expect(resolveNatsOptions({ servers })).toMatchObject(expected);
  });

  it('a URL refused for another reason never quotes the credentials', () => {
    for (const servers of [`nats://fleet:${PASSWORD}@hub:99999`, `fleet:${PASSWORD}@hub:99999`, `nats://${TOKEN}@hub:99999`, `ws://fleet:${PASSWORD}@hub:4222`]) {
      expect(() => resolveNatsOptions({ servers })).toThrow(TypeError);
      try {
        resolveNatsOptions({ servers });
      } catch (error) {
        expect((error as Error).message).not.toMatch(/Ab3|tOk3n/);
      }
    }
  });

  it('the sample app takes SYNC_NATS_URL with them and its banner shows neither', () => {
    const temp = tempDir();
    try {
      for (const url of [`nats://fleet:${PASSWORD}@127.0.0.1:4222`, `nats://${TOKEN}@127.0.0.1:4222`]) {
        const config = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_NATS_URL: url });
        const banner = startBanner(config, 'http://127.0.0.1:5000');
        expect(banner).toContain('NATS:       nats://127.0.0.1:4222,');
        expect(banner).not.toMatch(/Ab3|tOk3n/);
      }
    } finally {
      temp.cleanup();
    }
  });
});

describeWithNats('a NATS password with "/" in the URL logs in (real nats-server)', () => {
  it('both servers sync, and /status shows no password', async () => {
    const server = await startNatsServer(`listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\nauthorization { user: fleet, password: "${PASSWORD}" }\n`);
    const nodes: (TempDb & { transport: NatsTransport })[] = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const temp = trackedDb();
        nodes.push({ ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: `nats://fleet:${PASSWORD}@127.0.0.1:${server.port}`, stream: 'SLASH' }), { data: temp.tracker, peerTimeoutMs: 10_000 }) });
      }
      const [a, b] = nodes as [TempDb & { transport: NatsTransport }, TempDb & { transport: NatsTransport }];
      a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'Slashed', 1);
      await a.transport.exchange();
      await b.transport.exchange();
      expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
      expect(JSON.stringify([a.transport.status(), b.transport.status()])).not.toContain('Ab3');
    } finally {
      for (const each of nodes) {
        await each.transport.close();
        each.cleanup();
      }
      await server.close();
    }
  });
});
