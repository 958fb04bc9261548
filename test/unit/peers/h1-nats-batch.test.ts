import { headers } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { PageBatch } from '../../../lib/peers/nats/nats-batch';

/** The parts of a stream message a batch reads. */
function streamMessage(seq: number, subject: string, more: boolean): JsMsg {
  const h = headers();
  if (more) h.set('Ess-More', '1');
  return { seq, subject, headers: h, data: new Uint8Array(10) } as unknown as JsMsg;
}

describe('PageBatch: which messages hold the batch for a chain', () => {
  const PEER = `ess.S.${'a'.repeat(32)}`;

  it("a peer's page marked Ess-More holds the batch until its chain ends", () => {
    const batch = new PageBatch();
    batch.take(streamMessage(1, PEER, true), { page: 1 });
    expect(batch.chained).toBe(true);
    expect(batch.due(0)).toBe(false);
    batch.take(streamMessage(2, PEER, false), { page: 2 });
    expect(batch.due(0)).toBe(true);
  });

  it('a message with nothing to apply (this site\'s own) never holds the batch, Ess-More or not', () => {
    const batch = new PageBatch();
    batch.take(streamMessage(1, PEER, false), { page: 1 });
    batch.take(streamMessage(2, `ess.S.${'b'.repeat(32)}`, true), undefined);
    expect(batch.chained).toBe(false);
    expect(batch.due(0)).toBe(true);
  });
});
