import type { TransportStatus } from './transport';

type Sample = readonly [labels: string, value: number];

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function family(lines: string[], name: string, type: 'gauge' | 'counter', help: string, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
}

/**
 * The Prometheus lines of the transports (`GET /metrics`): whether each is
 * up, where it has applied up to and how far behind it is; for NATS, the
 * stream's last sequence, the messages published and applied, and the senders held.
 */
export function formatTransportMetrics(transports: readonly TransportStatus[]): string[] {
  const lines: string[] = [];
  const of = (t: TransportStatus): string => `{transport="${t.kind}",name="${label(t.name)}"}`;
  // By state alone: a NATS transport that refused one bad message (its `lastError`) and goes on is up.
  const up = (t: TransportStatus): number => (t.state === 'connected' || t.state === 'idle' ? 1 : 0);
  family(lines, 'express_sqlite_sync_transport_up', 'gauge', '1 when the transport is connected (NATS) or its last round succeeded (HTTP).', transports.map((t) => [of(t), up(t)]));
  family(lines, 'express_sqlite_sync_transport_position', 'gauge', 'Where this server has applied up to (HTTP: the peer seq; NATS: the stream sequence).', transports.filter((t) => t.position !== null).map((t) => [of(t), t.position as number]));
  family(lines, 'express_sqlite_sync_transport_lag', 'gauge', 'How far behind this server is (HTTP: changes; NATS: messages).', transports.filter((t) => t.lag !== null).map((t) => [of(t), t.lag as number]));
  const nats = transports.flatMap((t) => (t.nats === undefined ? [] : [[of(t), t.nats] as const]));
  family(lines, 'express_sqlite_sync_nats_stream_last_seq', 'gauge', "The stream's last sequence, as last seen.", nats.filter(([, n]) => n.streamLastSeq !== null).map(([l, n]) => [l, n.streamLastSeq as number]));
  family(lines, 'express_sqlite_sync_nats_published_seq', 'gauge', 'The local seq up to which this server has published.', nats.map(([l, n]) => [l, n.publishedSeq]));
  family(lines, 'express_sqlite_sync_nats_messages_published_total', 'counter', 'Messages (pages) published since start.', nats.map(([l, n]) => [l, n.messagesPublished]));
  family(lines, 'express_sqlite_sync_nats_messages_applied_total', 'counter', 'Messages (pages) applied since start.', nats.map(([l, n]) => [l, n.messagesApplied]));
  family(lines, 'express_sqlite_sync_nats_held_senders', 'gauge', 'Senders held at a stream message that waits (their later messages wait behind it; /status nats.held says why).', nats.flatMap(([l, n]) => (n.held === undefined ? [] : [[l, n.held.length] as const])));
  family(lines, 'express_sqlite_sync_nats_catching_up', 'gauge', '1 while the stream cannot serve this server and it catches up over HTTP.', nats.map(([l, n]) => [l, n.catchUp === null ? 0 : 1]));
  return lines;
}
