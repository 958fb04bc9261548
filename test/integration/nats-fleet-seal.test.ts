import { randomUUID } from 'node:crypto';
import { connect, headers, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, StorageType, type JetStreamClient, type StoredMsg } from '@nats-io/jetstream';
import { FleetSeal, SEAL_HEADER, type SealedMessage } from '../../lib/peers/nats/fleet-seal';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { tableRows } from '../helpers/data';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

type Node = NatsNode;

const FLEET = 'the-fleet-sync-token-0001';
const OTHER = 'another-fleet-token-0002';

function message(subject: string, body: string, set: Record<string, string> = {}): SealedMessage {
  const h = headers();
  for (const [name, value] of Object.entries({ 'Nats-Msg-Id': `${'a'.repeat(32)}:1-2`, 'Ess-Schema': 'e'.repeat(64), 'Ess-Since': '0', 'Ess-Next': '2', 'Ess-Rows': '2', ...set })) h.set(name, value);
  return { subject, headers: h, data: Buffer.from(body) };
}

function sealed(tokens: readonly string[], unsealed: SealedMessage): SealedMessage {
  const seal = new FleetSeal(tokens).seal(unsealed);
  if (seal !== undefined) unsealed.headers?.set(SEAL_HEADER, seal);
  return unsealed;
}

describe('FleetSeal', () => {
  const SUBJECT = `ess.S.${'a'.repeat(32)}`;

  it('seals with the first token and accepts a seal under any; nothing is checked without tokens', () => {
    const rotated = new FleetSeal([FLEET, OTHER]);
    expect(rotated.accepts(sealed([OTHER], message(SUBJECT, '{"page":1}')))).toBe(true);
    expect(new FleetSeal([FLEET]).accepts(sealed([OTHER], message(SUBJECT, '{"page":1}')))).toBe(false);
    expect(new FleetSeal([FLEET]).accepts(message(SUBJECT, '{"page":1}'))).toBe(false);
    expect(new FleetSeal([]).seal(message(SUBJECT, '{"page":1}'))).toBeUndefined();
    expect(new FleetSeal([]).accepts(message(SUBJECT, '{"page":1}'))).toBe(true);
  });

  // What the receiver acts on, changed after sealing by someone without the token.
  it.each<[string, (sealedOne: SealedMessage) => SealedMessage]>([
    ['another body', (m) => ({ ...m, data: Buffer.from('{"page":2}') })],
    ["another site's subject", (m) => ({ ...m, subject: `ess.S.${'f'.repeat(32)}` })],
    ['another Ess-Schema', (m) => withHeader(m, 'Ess-Schema', '0'.repeat(64))],
    ['Ess-Schema removed', (m) => withHeader(m, 'Ess-Schema', undefined)],
    ['another Nats-Msg-Id', (m) => withHeader(m, 'Nats-Msg-Id', `${'a'.repeat(32)}:1-3`)],
    ['Nats-Msg-Id removed', (m) => withHeader(m, 'Nats-Msg-Id', undefined)],
    ['another Ess-Since', (m) => withHeader(m, 'Ess-Since', '1')],
    ['another Ess-Next', (m) => withHeader(m, 'Ess-Next', '3')],
    ['another Ess-Rows', (m) => withHeader(m, 'Ess-Rows', '9999')],
    ['Ess-More added', (m) => withHeader(m, 'Ess-More', '1')],
    ['Ess-More empty', (m) => withHeader(m, 'Ess-More', '')],
    ['a header value moved into the next one', (m) => withHeader(withHeader(m, 'Ess-Since', '02'), 'Ess-Next', '')],
  ])('refuses a sealed message with %s', (_name, change) => {
    const seal = new FleetSeal([FLEET]);
    const original = sealed([FLEET], message(SUBJECT, '{"page":1}'));
    expect(seal.accepts(original)).toBe(true);
    expect(seal.accepts(change(original))).toBe(false);
  });
});

function withHeader(m: SealedMessage, name: string, value: string | undefined): SealedMessage {
  const h = headers();
  for (const [key, values] of m.headers ?? []) if (key !== name) h.set(key, values[0] ?? '');
  if (value !== undefined) h.set(name, value);
  return { ...m, headers: h };
}

describeWithNats('NATS messages are sealed with the fleet’s sync token (real nats-server)', () => {
  const nats = natsNodes();

  function node(tokens: readonly string[]): Node {
    return nats.node({ stream: 'SHARED' }, { tokens });
  }


  it('a server of another fleet on the same stream applies nothing and says why; the fleet’s own servers sync', async () => {
    const [a, b, stranger] = [node([FLEET]), node([FLEET]), node([OTHER])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'from A');
    await a.transport.exchange();
    await b.transport.exchange();
    await stranger.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(stranger.db, 'teams')).toEqual([]);
    const status = stranger.transport.status();
    expect(status.nats?.messagesRefused).toBe(1);
    expect(status.lastError?.code).toBe('WRONG_TOKEN');
    expect(status.lastError?.message).toMatch(/not sealed with this fleet's sync token.*own stream/);
  });

  /** A client holding only the NATS credentials (no sync token), as an attacker or a careless script would. */
  async function outsider<T>(act: (nc: NatsConnection, js: JetStreamClient, first: StoredMsg) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: nats.server().url });
    try {
      const jsm = await jetstreamManager(nc);
      const first = await jsm.streams.getMessage('SHARED', { seq: 1 });
      if (first === null) throw new Error('the stream has no message 1');
      return await act(nc, jetstream(nc), first);
    } finally {
      await nc.close();
    }
  }

  /** The headers of a stored message, but for `drop`. */
  function copyHeaders(stored: StoredMsg, drop: readonly string[]): MsgHdrs {
    const h = headers();
    for (const [name, values] of stored.header) if (!drop.includes(name)) h.set(name, values[0] ?? '');
    return h;
  }

  it.each<[string, (h: MsgHdrs) => void]>([
    ['Ess-Schema set to another fingerprint', (h) => h.set('Ess-Schema', '0'.repeat(64))],
    ['Ess-Schema removed', (h) => h.delete('Ess-Schema')],
    ['Ess-More set (holds the batch for a chain)', (h) => h.set('Ess-More', '1')],
  ])('passes over a sealed message replayed under another site’s subject with %s (WRONG_TOKEN); later pages still apply', async (_name, forge) => {
    const [a, b] = [node([FLEET]), node([FLEET])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'first');
    await a.transport.exchange();
    await b.transport.exchange();
    await outsider(async (_nc, js, first) => {
      const h = copyHeaders(first, ['Nats-Msg-Id', 'Nats-Expected-Last-Subject-Sequence']);
      forge(h);
      await js.publish(`ess.SHARED.${'f'.repeat(32)}`, first.data, { headers: h });
    });
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'second');
    await a.transport.exchange();
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
    expect(b.transport.status()).toMatchObject({ position: 3, lastError: { code: 'WRONG_TOKEN' }, nats: { messagesRefused: 1 } });
  });

  it('a refusal is not shown as the last error for ever: once the stream is made again without the junk, the status is clear', async () => {
    const [a, b] = [node([FLEET]), node([FLEET])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'first');
    await a.transport.exchange();
    await outsider((_nc, js) => js.publish(`ess.SHARED.${'f'.repeat(32)}`, 'junk'));
    await b.transport.exchange();
    expect(b.transport.status()).toMatchObject({ lastError: { code: 'WRONG_TOKEN' }, nats: { messagesRefused: 1 } });
    // The operator deletes the stream; the next rounds make it again, without the junk.
    await outsider(async (nc) => (await jetstreamManager(nc)).streams.delete('SHARED'));
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'second');
    await a.transport.exchange();
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(b.transport.status()).toMatchObject({ state: 'connected', lastError: null });
  });

  it('a stream made again with junk on a site\'s own subject: the site still publishes again what the stream lost', async () => {
    const a = node([FLEET]);
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'before the remake');
    await a.transport.exchange();
    await a.transport.close();
    // The stream is deleted and made again by hand, and someone with only the NATS credentials puts junk on a's subject
    // (two messages: the subject's last sequence goes past the one a saved, as its own next page would).
    await outsider(async (nc, js) => {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete('SHARED');
      await jsm.streams.add({ name: 'SHARED', subjects: ['ess.SHARED.*'] });
      for (const junk of ['junk 1', 'junk 2']) await js.publish(`ess.SHARED.${a.tracker.siteId}`, junk);
    });
    a.transport = new NatsTransport(resolveNatsOptions({ servers: nats.server().url, stream: 'SHARED' }), { data: a.tracker, peerTimeoutMs: 10_000, tokens: [FLEET] });
    await a.transport.exchange();
    const c = node([FLEET]); // a server that joins after the remake: the stream is all it has
    await c.transport.exchange();
    expect(tableRows(c.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(a.transport.status()).toMatchObject({ lastError: { code: 'WRONG_TOKEN' }, nats: { messagesRefused: 1 } });
  });

  it.each<[string, (js: JetStreamClient, subject: string, first: StoredMsg) => Promise<unknown>]>([
    ['junk published with plain NATS', (js, subject) => js.publish(subject, 'junk')],
    ['a copy of its own message without its Nats-Msg-Id', (js, subject, first) => js.publish(subject, first.data, { headers: copyHeaders(first, ['Nats-Msg-Id', 'Nats-Expected-Last-Subject-Sequence']) })],
  ])('a site goes on publishing after %s on its own subject: passed over (WRONG_TOKEN), not taken for a copied database', async (_name, put) => {
    const [a, b] = [node([FLEET]), node([FLEET])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'first');
    await a.transport.exchange();
    await outsider((_nc, js, first) => put(js, `ess.SHARED.${a.tracker.siteId}`, first));
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'second');
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 1 });
    expect(a.transport.status()).toMatchObject({ state: 'connected', lastError: { code: 'WRONG_TOKEN' }, nats: { messagesPublished: 2, messagesRefused: 1 } });
    expect(a.transport.status().lastError?.message).toMatch(/stream message 2 .*own subject.*goes on publishing/);
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
  });

  it('a site goes on publishing after an exact replay of a message it published (sealed, its window already published): not taken for a copied database', async () => {
    // A short duplicate window, so JetStream stores the replay instead of dropping it as a duplicate.
    const nc = await connect({ servers: nats.server().url });
    await (await jetstreamManager(nc)).streams.add({ name: 'SHARED', subjects: ['ess.SHARED.*'], storage: StorageType.File, duplicate_window: nanos(100) });
    await nc.close();
    const [a, b] = [node([FLEET]), node([FLEET])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'first');
    await a.transport.exchange();
    await outsider(async (_nc, js, first) => {
      const replay = copyHeaders(first, ['Nats-Expected-Last-Subject-Sequence']);
      while ((await js.publish(`ess.SHARED.${a.tracker.siteId}`, first.data, { headers: replay })).duplicate) await new Promise((resolve) => setTimeout(resolve, 100));
    });
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'second');
    await expect(a.transport.exchange()).resolves.toMatchObject({ rowsOut: 1 });
    expect(a.transport.status()).toMatchObject({ state: 'connected', nats: { messagesPublished: 2 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(2);
  });
});
