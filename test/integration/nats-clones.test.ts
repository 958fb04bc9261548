import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { trackedDb, type TempDb } from '../helpers/data';
import { tempDir } from '../helpers/temp';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

function addTeams(node: { readonly db: Database.Database }, count: number, prefix: string): void {
  const insert = node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
  node.db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `${prefix} ${i}`, i);
  })();
}

function teamNames(node: { readonly db: Database.Database }): string[] {
  return node.db.prepare('SELECT name FROM teams ORDER BY name').pluck().all() as string[];
}

/**
 * Waits until JetStream has let go of the `Nats-Msg-Id` of the last message of
 * `stream` (its duplicate window passed and its purge ran: a timer of
 * nats-server, late on a loaded machine, so no fixed sleep). The probe
 * carries that id and an expected last sequence no stream has: while the id
 * is remembered, JetStream answers `duplicate`; once it is not, it refuses the
 * probe for its sequence. Either way nothing is stored.
 */
async function untilIdForgotten(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const last = await jsm.streams.getMessage(stream, { seq: (await jsm.streams.info(stream)).state.last_seq });
    const probe = headers();
    probe.set('Nats-Msg-Id', last?.header.get('Nats-Msg-Id') ?? '');
    probe.set('Nats-Expected-Last-Sequence', String(Number.MAX_SAFE_INTEGER));
    const js = jetstream(nc);
    for (const deadline = Date.now() + 30_000; ; ) {
      const ack = await js.publish(last?.subject ?? '', 'probe', { headers: probe }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      if (ack instanceof Error) {
        if (/wrong last sequence/.test(ack.message)) return; // past the id check: the id is free
        throw ack;
      }
      if (!ack.duplicate) throw new Error(`the probe was stored: ${JSON.stringify(ack)}`);
      if (Date.now() > deadline) throw new Error('JetStream still remembers the id after 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await nc.close();
  }
}

/**
 * Copies of one database that their start does not tell apart (a block-level
 * copy, or a file from an older version: no file identity recorded), both on
 * NATS. JetStream dedupes by `Nats-Msg-Id` before it checks the expected
 * subject sequence, and two such copies that each write as many rows publish
 * the very same ids.
 */
describeWithNats('copies of one database publishing on NATS (a real nats-server)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  function node(stream: string): Node {
    const temp = trackedDb();
    const created: Node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: server.url, stream }), { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    nodes.push(created);
    return created;
  }

  function cloneOf(original: Node, stream: string): { readonly db: Database.Database; readonly tracker: ChangeTracker; readonly transport: NatsTransport } {
    const dir = tempDir('ess-clone-');
    original.db.prepare('VACUUM INTO ?').run(path.join(dir.dir, 'copy.db'));
    const db = new Database(path.join(dir.dir, 'copy.db'));
    db.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
    const tracker = enableCapture(db, { tables: ['teams', 'reports'] });
    const transport = new NatsTransport(resolveNatsOptions({ servers: server.url, stream }), { data: tracker, peerTimeoutMs: 10_000 });
    cleanups.push(async () => {
      await transport.close();
      db.close();
      dir.cleanup();
    });
    expect(tracker.siteId).toBe(original.tracker.siteId);
    return { db, tracker, transport };
  }

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server.close();
  });

  it('one row each at the same seq: JetStream answers the second page as a duplicate, and that is SAME_SITE_ID, not a silent drop', async () => {
    const a = node('TWIN');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    const clone = cloneOf(a, 'TWIN');
    await clone.transport.exchange(); // running, its subject checked, before either writes again
    addTeams(a, 1, 'written on the original');
    addTeams(clone, 1, 'written on the clone');
    expect(clone.tracker.info().seq).toBe(a.tracker.info().seq); // the same seq window: the same Nats-Msg-Id
    expect(await a.transport.exchange()).toMatchObject({ rowsOut: 1 });
    await expect(clone.transport.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
    expect(clone.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID' } });
    const b = node('TWIN');
    await b.transport.exchange();
    expect(teamNames(b).filter((name) => name.startsWith('written'))).toEqual(['written on the original 0']);
  });

  it('the clone\'s page landed first and JetStream no longer dedupes (past its duplicate window): SAME_SITE_ID, not taken for its own lost ack', async () => {
    const nc = await connect({ servers: server.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'TWIN2', subjects: ['ess.TWIN2.*'], duplicate_window: 100_000_000 }); // 100 ms
    await nc.close();
    const a = node('TWIN2');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    const clone = cloneOf(a, 'TWIN2');
    addTeams(clone, 1, 'written on the clone');
    expect(await clone.transport.exchange()).toMatchObject({ rowsOut: 1 }); // the original is idle: nothing tells them apart yet
    await untilIdForgotten(server.url, 'TWIN2');
    addTeams(a, 1, 'written on the original'); // the same seq, so the same Nats-Msg-Id, now past the duplicate window
    await expect(a.transport.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
    expect(a.tracker.transportCursor(`nats:TWIN2:published:${a.tracker.siteId}`)).toBe('5'); // its row is not taken as published
  });

  it('a copy taken with unpublished rows after the stream was deleted publishes first into the stream made again: SAME_SITE_ID at once (how far the original published in the old stream vouches for nothing in the new one)', async () => {
    const a = node('REMADE_TWIN');
    addTeams(a, 3, 'A');
    await a.transport.exchange();
    const nc = await connect({ servers: server.url });
    await (await jetstreamManager(nc)).streams.delete('REMADE_TWIN');
    await nc.close();
    const b = node('REMADE_TWIN'); // another site's pages come first in the new stream: the clone's lies past the original's saved subject sequence
    for (const round of [1, 2]) {
      addTeams(b, 1, `B ${round}`);
      await b.transport.exchange();
    }
    addTeams(a, 2, 'not yet published'); // the copy holds them too: its pages hold only what both hold
    const clone = cloneOf(a, 'REMADE_TWIN');
    expect(await clone.transport.exchange()).toMatchObject({ rowsOut: 5 }); // it makes the stream again and publishes everything there
    await expect(a.transport.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID' } });
  });

  it('an idle original meets the clone\'s page on its own subject: SAME_SITE_ID from its consumer, not its rows passed over as its own in silence', async () => {
    const a = node('IDLE');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    a.transport.start(); // its background consumer runs, as a server's does
    const clone = cloneOf(a, 'IDLE');
    addTeams(clone, 2, 'written on the clone');
    expect(await clone.transport.exchange()).toMatchObject({ rowsOut: 2 });
    for (const deadline = Date.now() + 20_000; a.transport.status().lastError?.code !== 'SAME_SITE_ID'; ) {
      if (Date.now() > deadline) throw new Error(`no SAME_SITE_ID on the original: ${JSON.stringify(a.transport.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The fix names this server's own database file: the copy to re-identify is this one.
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID', message: expect.stringContaining(`new-site-id --db ${a.file}\` on it`) as string } });
    addTeams(a, 1, 'written on the original');
    await expect(a.transport.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' }); // and it publishes nothing more
    const b = node('IDLE');
    await b.transport.exchange();
    expect(teamNames(b)).not.toContain('written on the original 0');
    // Reading goes on: another site's page (on b's subject) still reaches the blocked original, after a message of its own subject too.
    addTeams(clone, 1, 'written on the clone later');
    await clone.transport.exchange();
    addTeams(b, 1, 'written on b');
    await b.transport.exchange();
    for (const deadline = Date.now() + 20_000; !teamNames(a).includes('written on b 0'); ) {
      if (Date.now() > deadline) throw new Error(`b's row never reached the blocked original: ${JSON.stringify(a.transport.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(a.transport.status()).toMatchObject({ lastError: { code: 'SAME_SITE_ID' } });
  });

  it('an idle original whose published seq moved on over other sites\' pages meets a clone\'s page inside that window: SAME_SITE_ID, not passed over as a replay', async () => {
    const a = node('INSIDE');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    a.transport.start();
    const clone = cloneOf(a, 'INSIDE'); // not started yet: it reads nothing of b's before it writes
    const b = node('INSIDE');
    addTeams(b, 10, 'B');
    await b.transport.exchange();
    for (const deadline = Date.now() + 20_000; !teamNames(a).includes('B 9'); ) {
      if (Date.now() > deadline) throw new Error(`b's rows never reached the original: ${JSON.stringify(a.transport.status())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await a.transport.exchange(); // its published seq moves past b's rows (nothing to send for them)
    const published = Number(a.tracker.transportCursor(`nats:INSIDE:published:${a.tracker.siteId}`));
    addTeams(clone, 1, 'written on the clone');
    expect(clone.tracker.info().seq).toBeLessThanOrEqual(published); // the clone's page (published before it reads b's) lies inside what the original published
    expect(await clone.transport.exchange()).toMatchObject({ rowsOut: 1 });
    for (const deadline = Date.now() + 20_000; a.transport.status().lastError?.code !== 'SAME_SITE_ID'; ) {
      if (Date.now() > deadline) throw new Error(`no SAME_SITE_ID on the original: ${JSON.stringify(a.transport.status())}; its teams: ${teamNames(a).length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID', message: expect.stringContaining('new-site-id') as string } });
    expect(teamNames(a)).not.toContain('written on the clone 0');
    // The one-line fix on the original (a new site id): it reads the stream again, the clone's row with it.
    await a.transport.close();
    expect(a.tracker.checkOwnHistory({ seq: 1_000_000, mark: null })).toMatchObject({ code: 'SITE_REWOUND' });
    a.transport = new NatsTransport(resolveNatsOptions({ servers: server.url, stream: 'INSIDE' }), { data: a.tracker, peerTimeoutMs: 10_000 });
    await a.transport.exchange();
    expect(teamNames(a)).toContain('written on the clone 0');
  });

  it('after the one-line fix on the original (a new site id), it reads again the messages it had passed over as its own: the clone\'s rows reach it', async () => {
    const a = node('FIX');
    addTeams(a, 5, 'A');
    await a.transport.exchange();
    const clone = cloneOf(a, 'FIX');
    addTeams(clone, 1, 'written on the clone');
    await clone.transport.exchange();
    // The clone's page is on a's own subject, beyond what a published: a's consumer stops on it, though a writes nothing.
    await expect(a.transport.exchange()).rejects.toMatchObject({ code: 'SAME_SITE_ID' });
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'SAME_SITE_ID' } });
    expect(teamNames(a)).not.toContain('written on the clone 0');
    // `express-sqlite-sync new-site-id` on the original, server stopped, then started again.
    await a.transport.close();
    expect(a.tracker.checkOwnHistory({ seq: 1_000_000, mark: null })).toMatchObject({ code: 'SITE_REWOUND' });
    a.transport = new NatsTransport(resolveNatsOptions({ servers: server.url, stream: 'FIX' }), { data: a.tracker, peerTimeoutMs: 10_000 });
    await a.transport.exchange();
    expect(teamNames(a)).toContain('written on the clone 0');
  });
});
