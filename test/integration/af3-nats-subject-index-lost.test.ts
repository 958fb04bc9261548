import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

const STREAM = 'FLEET';
const PADDING = 'x'.repeat(300_000);
const CONFIG = (limit: string): string =>
  `listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\naccounts { FLEETS: { jetstream: { max_file: ${limit}, max_mem: 1MB }, users: [ { user: fleet, password: fleet-secret } ] } }\n`;
/** Bound on a round that should end at once (a loaded 2-core machine); before the fix it never ended. */
const ROUND_BOUND_MS = 30_000;

/** The stream as the operator reads it (`nats stream info`), as the account's user. */
async function streamInfo(port: number): Promise<StreamInfo> {
  const nc = await connect({ servers: `nats://127.0.0.1:${port}`, user: 'fleet', pass: 'fleet-secret' });
  try {
    return await (await jetstreamManager(nc)).streams.info(STREAM);
  } finally {
    await nc.close();
  }
}

/** Settles with the round's outcome, or 'still running' after the bound. */
function settled(round: Promise<unknown>): Promise<string> {
  const bound = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), ROUND_BOUND_MS).unref());
  return Promise.race([round.then(() => 'ok', (error: unknown) => String((error as { code?: unknown }).code)), bound]);
}

/**
 * nats-server 2.9.10, once an account's storage limit refused publishes into the stream and it was
 * restarted, answers that the publisher's subject holds no message (`last_by_subj` finds none, and
 * the expected last subject sequence is 0) while the stream still holds its messages there. The publisher
 * took its pages for lost (the message at the sequence it saved is there, so it read the sequence as used
 * again by another subject) and published them again from its first, only to be refused again at the first
 * new one (expected last subject sequence not 0): an endless loop within one flush, hundreds of messages a
 * second, the round never ending and nothing new published.
 */
describeWithNats('af3: a stream whose subject index says less than it holds (nats-server 2.9 after an account limit, restarted)', () => {
  let server: NatsServer | undefined;
  let node: (TempDb & { readonly tracker: ChangeTracker; readonly transport: NatsTransport }) | undefined;
  afterEach(async () => {
    await node?.transport.close();
    node?.cleanup();
    node = undefined;
    await server?.close();
    server = undefined;
  });

  it('af3-nats-subject-index-lost: the publisher takes its messages in as they are and publishes the rest once; the round ends', async () => {
    server = await startNatsServer(CONFIG('1MB'));
    const url = `nats://fleet:fleet-secret@127.0.0.1:${server.port}`;
    const port = server.port;
    const temp = trackedDb();
    // Its only HTTP peer holds everything (it is the writer here): the holes the refused publishes left are caught up, so the round's outcome is the publisher's.
    const catchUp = async (): Promise<{ ok: boolean; coverage: { stream: string; created: string; seq: number }[] }> => ({ ok: true, coverage: [{ stream: STREAM, created: (await streamInfo(port)).created, seq: Number.MAX_SAFE_INTEGER }] });
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: url, stream: STREAM, requestTimeoutMs: 3000 }), { data: temp.tracker, peerTimeoutMs: 10_000, catchUp }) };
    for (let row = 0; row < 5; row += 1) temp.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), `${row} ${PADDING}`, row);
    expect(await settled(node.transport.exchange())).toBe('NATS_STORAGE_FULL');
    const storedBefore = node.transport.status().nats?.messagesPublished ?? 0;
    expect(storedBefore).toBeGreaterThan(0);

    const file = path.join(path.dirname(server.store), 'nats.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('max_file: 1MB', 'max_file: 64MB'));
    await server.stop();
    await server.restart();
    expect(await settled(node.transport.exchange())).toBe('ok');
    const status = node.transport.status();
    expect(status.nats).toMatchObject({ unpublished: 0, messagesPublished: 5 }); // each page once: none published again
    const stream = await streamInfo(port);
    expect(stream.state.messages).toBe(5);
  }, 3 * ROUND_BOUND_MS);
});
