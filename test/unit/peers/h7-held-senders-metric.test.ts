import { formatTransportMetrics } from '../../../lib/peers/transport-metrics';
import type { NatsStatus, TransportStatus } from '../../../lib/peers/transport';

/** `/metrics` counts the held senders `/status` lists (`nats.held`), and leaves the figure out for a status without the list. */
describe('express_sqlite_sync_nats_held_senders', () => {
  const nats: NatsStatus = {
    servers: ['nats://127.0.0.1:4222'], connectedTo: null, stream: 'EVENT', subject: 'ess.EVENT.a', streamFirstSeq: 1, streamLastSeq: 3,
    appliedSeq: 0, publishedSeq: 0, unpublished: 0, messagesPublished: 0, messagesApplied: 1, messagesRefused: 0, catchUp: null, lastCatchUp: null,
  };
  function lineOf(status: NatsStatus): string | undefined {
    const transport: TransportStatus = { kind: 'nats', name: 'nats:EVENT', state: 'failing', position: 0, lag: 3, lastError: null, nats: status };
    return formatTransportMetrics([transport]).find((line) => line.startsWith('express_sqlite_sync_nats_held_senders{'));
  }

  it('is the number of held senders, 0 when none', () => {
    const sender = { subject: 'ess.EVENT.b', site: 'b', seq: 1, after: 0, code: 'APPLY_REFUSED', message: 'stream message 1 (ess.EVENT.b) waits' };
    expect(lineOf({ ...nats, held: [sender, { ...sender, subject: 'ess.EVENT.c', site: 'c', seq: 2, after: 1 }] })).toBe('express_sqlite_sync_nats_held_senders{transport="nats",name="nats:EVENT"} 2');
    expect(lineOf({ ...nats, held: [] })).toBe('express_sqlite_sync_nats_held_senders{transport="nats",name="nats:EVENT"} 0');
  });

  it('is left out for a status without the list (built by hand, or an earlier version)', () => {
    expect(lineOf(nats)).toBeUndefined();
  });
});
