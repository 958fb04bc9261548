import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { asNatsOperator } from '../helpers/nats-operator';
import { describeWithNats } from '../helpers/nats-server';
import { insertTeam as insert, teamNames as names } from '../helpers/k3-held-sender';

const STREAM = 'AF3_TAIL';
/** Long enough that a round waiting for a message that will never come is told from one that ends at once. */
const PEER_TIMEOUT_MS = 60_000;

/** A round's failure code, or 'ok', and how long it took. */
async function round(at: NatsNode): Promise<{ outcome: string; ms: number }> {
  const started = Date.now();
  const outcome = await at.transport.exchange().then(
    () => 'ok',
    (error: unknown) => String((error as { code?: unknown }).code),
  );
  return { outcome, ms: Date.now() - started };
}

/**
 * The stream's last messages deleted by an operator (`nats stream rmm`, a purge of one subject, or
 * publishes an account's storage limit refused, which nats-server 2.9 counts as deleted sequences):
 * its last sequence stays where it was, so a server that had not read them waited for a message that
 * never comes, and every round failed NATS_TIMEOUT after peerTimeoutMs ("not read past 1 (of 2)"),
 * instead of telling the loss (caught up over HTTP, or STREAM_GAP), as it does for a hole before a
 * message or a stream emptied.
 */
describeWithNats('af3: the stream\'s tail deleted before a server read it (real nats-server)', () => {
  const nats = natsNodes();

  it('af3-nats-tail-deleted: the round tells the loss at once (STREAM_GAP without an HTTP peer), not NATS_TIMEOUT after peerTimeoutMs', async () => {
    const [writer, reader] = [nats.node({ stream: STREAM }, { peerTimeoutMs: PEER_TIMEOUT_MS }), nats.node({ stream: STREAM }, { peerTimeoutMs: PEER_TIMEOUT_MS })];
    insert(writer, 'kept', 1);
    expect((await round(writer)).outcome).toBe('ok');
    insert(writer, 'deleted', 2); // the reader, not started yet, reads neither before the deletion
    expect((await round(writer)).outcome).toBe('ok');
    await asNatsOperator(nats.server().url, (jsm) => jsm.streams.deleteMessage(STREAM, 2)); // nats stream rmm AF3_TAIL 2
    const { outcome, ms } = await round(reader);
    expect(outcome).toBe('STREAM_GAP');
    expect(ms).toBeLessThan(PEER_TIMEOUT_MS / 2);
    expect(reader.transport.status().lastError?.message).toMatch(/no longer has messages 2-2/);
    expect(names(reader)).toEqual(['kept']);
  }, 3 * PEER_TIMEOUT_MS);

  it('af3-nats-tail-deleted: a longer deleted tail, caught up by an HTTP peer that holds it, is crossed; the round ends ok and reads on after it', async () => {
    const created = async (): Promise<string> => (await asNatsOperator(nats.server().url, (jsm) => jsm.streams.info(STREAM))).created;
    // Its HTTP peer (the writer, here) holds the stream to its end: what the tail held comes over HTTP.
    const catchUp = async (): Promise<{ ok: boolean; coverage: { stream: string; created: string; seq: number }[] }> => ({ ok: true, coverage: [{ stream: STREAM, created: await created(), seq: Number.MAX_SAFE_INTEGER }] });
    const [writer, reader] = [nats.node({ stream: STREAM }), nats.node({ stream: STREAM }, { peerTimeoutMs: PEER_TIMEOUT_MS, catchUp })];
    for (let row = 1; row <= 6; row += 1) {
      insert(writer, `row ${row}`, row);
      expect((await round(writer)).outcome).toBe('ok'); // one message each
    }
    await asNatsOperator(nats.server().url, async (jsm) => {
      for (const seq of [4, 5, 6]) await jsm.streams.deleteMessage(STREAM, seq);
    });
    const first = await round(reader);
    expect(first.outcome).toBe('ok');
    expect(first.ms).toBeLessThan(PEER_TIMEOUT_MS / 2);
    expect(names(reader)).toEqual(['row 1', 'row 2', 'row 3']); // the rest came over HTTP (not in this test)
    expect(reader.transport.status()).toMatchObject({ position: 6, lastError: null, nats: { lastCatchUp: { ok: true, reason: expect.stringMatching(/messages 4-6/) } } });
    insert(writer, 'row 7', 7);
    expect((await round(writer)).outcome).toBe('ok');
    expect((await round(reader)).outcome).toBe('ok');
    expect(names(reader)).toEqual(['row 1', 'row 2', 'row 3', 'row 7']);
  }, 3 * PEER_TIMEOUT_MS);
});
