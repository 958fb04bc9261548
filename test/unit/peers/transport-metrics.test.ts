import { formatTransportMetrics } from '../../../lib/peers/transport-metrics';
import type { TransportStatus } from '../../../lib/peers/transport';

function status(overrides: Partial<TransportStatus>): TransportStatus {
  return { kind: 'nats', name: 'nats:EVENT', state: 'connected', position: 5, lag: 0, lastError: null, ...overrides };
}

function upOf(transport: TransportStatus): string | undefined {
  return formatTransportMetrics([transport]).find((line) => line.startsWith('express_sqlite_sync_transport_up{'));
}

describe('transport metrics', () => {
  it.each<[string, Partial<TransportStatus>, number]>([
    ['a connected NATS transport', {}, 1],
    ['a connected NATS transport that refused one bad message and went on (its lastError)', { lastError: { code: 'SCHEMA_MISMATCH', message: 'one message refused' } }, 1],
    ['a failing NATS transport', { state: 'failing', lastError: { code: 'NATS_UNREACHABLE', message: 'down' } }, 0],
    ['a disconnected NATS transport', { state: 'disconnected' }, 0],
    ['an HTTP peer between good rounds', { kind: 'http', name: 'http://b', state: 'idle' }, 1],
    ['an HTTP peer whose last round failed', { kind: 'http', name: 'http://b', state: 'failing', lastError: { code: 'DOWN', message: 'down' } }, 0],
  ])('express_sqlite_sync_transport_up follows the state: %s', (_name, overrides, up) => {
    expect(upOf(status(overrides))).toMatch(new RegExp(` ${up}$`));
  });

  it('leaves out the figures /status answers as null (unknown), never writing null, NaN or 0 for them', () => {
    const nats = {
      servers: ['nats://127.0.0.1:4222'], connectedTo: null, stream: 'EVENT', subject: 'ess.EVENT.a', streamFirstSeq: null, streamLastSeq: null,
      appliedSeq: 0, publishedSeq: 0, unpublished: 0, messagesPublished: 0, messagesApplied: 0, messagesRefused: 0, catchUp: null, lastCatchUp: null,
    };
    const lines = formatTransportMetrics([status({ state: 'connecting', position: 0, lag: null, nats }), status({ kind: 'http', name: 'http://b', state: 'idle', position: null, lag: null })]);
    expect(lines.join('\n')).not.toMatch(/null|NaN/);
    expect(lines.filter((line) => /^express_sqlite_sync_(transport_position|transport_lag|nats_stream_last_seq)\{/.test(line))).toEqual(['express_sqlite_sync_transport_position{transport="nats",name="nats:EVENT"} 0']);
    expect(lines).toContain('express_sqlite_sync_nats_catching_up{transport="nats",name="nats:EVENT"} 0');
  });
});
