import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { dbDigest } from '../helpers/data';
import { tempDir } from '../helpers/temp';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';
import type { CatchUpOutcome } from '../../lib/peers/nats/stream-coverage';

type Node = NatsNode;

function addTeams(node: Node, count: number, prefix: string): void {
  const insert = node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  node.db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `${prefix} ${i}`, i);
  })();
}

describeWithNats('NATS JetStream transport (real nats-server)', () => {
  const nats = natsNodes();

  function node(stream = 'TEST', catchUp?: (reason: string) => Promise<CatchUpOutcome>, maxMessageBytes?: number): Node {
    return nats.node({ stream, maxMessageBytes }, { catchUp });
  }


  it('carries pages both ways, each applied with its stream sequence; the status names the stream and its position', async () => {
    const [a, b] = [node(), node()];
    addTeams(a, 30, 'A');
    addTeams(b, 20, 'B');
    expect(await a.transport.exchange()).toMatchObject({ rowsOut: 30 });
    expect(await b.transport.exchange()).toMatchObject({ rowsOut: 20, rowsIn: 30 });
    // a's consumer runs on between exchanges: it may have applied b's page before this call.
    expect(await a.transport.exchange()).toMatchObject({ rowsOut: 0 });
    expect(a.transport.status().nats?.messagesApplied).toBe(1);
    expect(dbDigest(a.db, true)).toBe(dbDigest(b.db, true));
    const status = b.transport.status();
    expect(status).toMatchObject({ kind: 'nats', name: 'nats:TEST', state: 'connected', position: 2, lag: 0, lastError: null });
    expect(status.nats).toMatchObject({ stream: 'TEST', subject: `ess.TEST.${b.tracker.siteId}`, appliedSeq: 2, streamLastSeq: 2, messagesPublished: 1, messagesApplied: 1 });
    expect(b.tracker.transportCursor('nats:TEST:applied')).toMatch(/^2 [0-9a-f]{32}:1-\d+$/); // the sequence and the id of the message there
  });

  it('does not send back what it received: applied pages move the published cursor when nothing else was pending', async () => {
    const [a, b] = [node(), node()];
    addTeams(a, 10, 'A');
    await a.transport.exchange();
    await b.transport.exchange();
    await b.transport.exchange();
    expect(b.transport.status().nats?.messagesPublished).toBe(0);
    expect(b.tracker.transportCursor(`nats:TEST:published:${b.tracker.siteId}`)).toBe(String(b.tracker.info().seq));
  });

  it('cuts a large change into messages no larger than maxMessageBytes, never inside one seq', async () => {
    const [a, b] = [node('BIG', undefined, 8192), node('BIG', undefined, 8192)];
    addTeams(a, 600, 'A');
    await a.transport.exchange();
    expect(a.transport.status().nats?.messagesPublished).toBeGreaterThan(3);
    const nc = await connect({ servers: nats.server().url });
    const jsm = await jetstreamManager(nc);
    for (let seq = 1; seq <= (await jsm.streams.info('BIG')).state.last_seq; seq += 1) {
      const message = await jsm.streams.getMessage('BIG', { seq });
      expect(message?.data.length).toBeLessThanOrEqual(8192);
      expect(message?.header.get('Nats-Msg-Id')).toMatch(new RegExp(`^${a.tracker.siteId}:\\d+-\\d+$`));
    }
    await nc.close();
    await b.transport.exchange();
    expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
  });

  it('applies one write transaction spread over several messages (Ess-More) in one SQLite transaction on the receiver', async () => {
    const [a, b] = [node('CHAIN', undefined, 8192), node('CHAIN', undefined, 8192)];
    await b.transport.exchange(); // b reads the stream from here on
    const calls: number[] = [];
    const original = b.tracker.applyChangesetsWithCursor.bind(b.tracker);
    b.tracker.applyChangesetsWithCursor = (changesets, cursor, echo) => {
      calls.push(changesets.length);
      return original(changesets, cursor, echo);
    };
    addTeams(a, 400, 'one transaction');
    await a.transport.exchange();
    const messages = a.transport.status().nats?.messagesPublished ?? 0;
    expect(messages).toBeGreaterThan(3);
    await b.transport.exchange();
    expect(calls).toEqual([messages]);
    expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
  });

  const STRANGER = 'ab'.repeat(16);

  async function publishRaw(stream: string, body: string, fingerprint: string | undefined, more = false): Promise<void> {
    const nc = await connect({ servers: nats.server().url });
    const h = headers();
    if (fingerprint !== undefined) h.set('Ess-Schema', fingerprint);
    if (more) h.set('Ess-More', '1');
    await jetstream(nc).publish(`ess.${stream}.${STRANGER}`, body, { headers: h });
    await nc.close();
  }

  it.each<[string, (good: string) => string]>([
    ['a body that is not JSON', () => 'not json {'],
    ['JSON that is not a changeset', () => '{"hello":"world"}'],
    ['a changeset of a table nobody tracks', (good) => good.replace(/"table":"teams"/g, '"table":"robots"')],
    ['a changeset with a value of the wrong kind', (good) => good.replace(/"cl":1/, '"cl":"one"')],
  ])('passes over a stream message with %s: counted and reported, nothing applied, and the next page still applies', async (_name, spoil) => {
    const [a, b] = [node('HOSTILE'), node('HOSTILE')];
    addTeams(a, 2, 'A');
    const good = JSON.stringify(a.tracker.readChanges(0, 100));
    await b.transport.exchange();
    const before = dbDigest(b.db, true);
    await publishRaw('HOSTILE', spoil(good), b.tracker.schema.fingerprint);
    await b.transport.exchange();
    expect(dbDigest(b.db, true)).toBe(before);
    expect(b.transport.status()).toMatchObject({ position: 1, nats: { messagesRefused: 1, messagesApplied: 0 }, lastError: { message: expect.stringContaining('stream message 1') } });
    await a.transport.exchange();
    await b.transport.exchange();
    expect(dbDigest(b.db, true)).toBe(dbDigest(a.db, true));
  });

  it('applies the start of a chain whose end never comes (its publisher stopped) after a short wait', async () => {
    const [a, b] = [node('CUT'), node('CUT')];
    addTeams(a, 3, 'A');
    await b.transport.exchange();
    const page = a.tracker.readChanges(0, 100);
    await publishRaw('CUT', JSON.stringify({ ...page, site: STRANGER, sites: page.sites.map(() => STRANGER) }), b.tracker.schema.fingerprint, true);
    await b.transport.exchange();
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(3);
    expect(b.transport.status()).toMatchObject({ position: 1, lag: 0 });
  });

  it.each<[string, string | undefined]>([
    ['no schema header', undefined],
    ['another schema fingerprint', 'f'.repeat(64)],
  ])('waits at a stream message with %s (SCHEMA_MISMATCH): nothing applied, the cursor stays, and it is tried again', async (_name, fingerprint) => {
    const [a, b] = [node('SCHEMA'), node('SCHEMA')];
    addTeams(a, 2, 'A');
    await b.transport.exchange(); // creates the stream
    await publishRaw('SCHEMA', JSON.stringify(a.tracker.readChanges(0, 100)), fingerprint);
    const before = dbDigest(b.db, true);
    await expect(b.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    await expect(b.transport.exchange()).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    expect(dbDigest(b.db, true)).toBe(before);
    expect(b.transport.status()).toMatchObject({ position: 0, lastError: { code: 'SCHEMA_MISMATCH' } });
    expect(b.tracker.transportCursor('nats:SCHEMA:applied')).toBeUndefined();
  });

  it('catches a second process publishing as the same site (a copied database): SAME_SITE_ID, and it stops publishing', async () => {
    const a = node('CLONE');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    // The clone: a copy of a's database, as an operator would make it to set up a laptop.
    const dir = tempDir('ess-clone-');
    a.db.prepare('VACUUM INTO ?').run(path.join(dir.dir, 'copy.db'));
    const cloneDb = new Database(path.join(dir.dir, 'copy.db'));
    // As a copy made before file identities were recorded (a copy's start takes a new id by itself otherwise).
    cloneDb.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
    const cloneTracker = enableCapture(cloneDb, { tables: ['teams', 'reports'] });
    const clone = new NatsTransport(resolveNatsOptions({ servers: nats.server().url, stream: 'CLONE' }), { data: cloneTracker, peerTimeoutMs: 10_000 });
    try {
      expect(cloneTracker.siteId).toBe(a.tracker.siteId);
      addTeams(a, 3, 'A again');
      await a.transport.exchange();
      cloneDb.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'written on the clone');
      const published = a.tracker.transportCursor(`nats:CLONE:subject:${a.tracker.siteId}`);
      await expect(clone.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
      expect(clone.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID' } });
      await expect(clone.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
      expect((await a.transport.exchange()).rowsIn).toBe(0);
      expect(a.tracker.transportCursor(`nats:CLONE:subject:${a.tracker.siteId}`)).toBe(published);
    } finally {
      await clone.close();
      cloneDb.close();
      dir.cleanup();
    }
  });
});
