import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { pullAll, tableRows } from '../helpers/data';
import { natsNodes } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'EMPTIED';

describeWithNats('a stream that lost every message a server needed, and holds none since (real nats-server)', () => {
  const nats = natsNodes();

  async function purge(): Promise<void> {
    const nc = await connect({ servers: nats.server().url });
    await (await jetstreamManager(nc)).streams.purge(STREAM);
    await nc.close();
  }

  it('without an HTTP peer: STREAM_GAP at once, not a NATS_TIMEOUT after waiting for messages that will never come', async () => {
    const writer = nats.node({ stream: STREAM });
    writer.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'purged before the reader read it', 1);
    await writer.transport.exchange();
    await purge(); // an operator's purge, or max_age: the stream is empty, its last sequence stays 1
    const reader = nats.node({ stream: STREAM }, { peerTimeoutMs: 5000 });
    const failure = await reader.transport.exchange().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('STREAM_GAP');
    expect(failure?.message).toMatch(/no longer has messages 1-1 /);
    expect(reader.transport.status()).toMatchObject({ position: 0, lastError: { code: 'STREAM_GAP' }, nats: { catchUp: { via: 'none' } } });
  });

  it('with a peer that holds the stream that far: caught up, and the position moves past what was lost', async () => {
    const writer = nats.node({ stream: STREAM });
    writer.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'purged before the reader read it', 1);
    await writer.transport.exchange();
    await purge();
    const reader = nats.node(
      { stream: STREAM },
      {
        peerTimeoutMs: 5000,
        catchUp: () => {
          pullAll(writer.tracker, reader.tracker); // what an HTTP pull from the writer brings
          return Promise.resolve({ ok: true, coverage: [{ stream: STREAM, created: reader.transport.coverage()?.created ?? '', seq: 1 }] });
        },
      },
    );
    await reader.transport.exchange();
    expect(tableRows(reader.db, 'teams')).toEqual(tableRows(writer.db, 'teams'));
    expect(reader.transport.status()).toMatchObject({ position: 1, lastError: null, nats: { lastCatchUp: { ok: true } } });
  });
});
