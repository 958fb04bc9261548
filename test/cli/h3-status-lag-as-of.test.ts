import { formatStatus } from '../../bin/commands/status';

type Status = Parameters<typeof formatStatus>[0];

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

function statusOf(peer: Record<string, unknown>): Status {
  const base = { url: 'http://10.0.0.2:5000/api/sync', name: 'pit laptop', running: false, failures: 0, lastSuccessAt: null, lastError: null, nextRunAt: null, lagChanges: null, undeliveredChanges: null, clockSkewMs: null };
  return { site: 'a'.repeat(32), seq: 9, name: null, conflicts: 0, peers: [{ ...base, ...peer }] } as unknown as Status;
}

// "not yet received 2" is what the peer had at the last handshake: for a peer unreachable for an hour
// `status` printed it as if measured now (the status page says "as of …").
describe('express-sqlite-sync status: not yet received, and when it was measured', () => {
  it('says when the figure was measured (the last contact)', () => {
    const text = formatStatus(statusOf({ state: 'unreachable', failures: 3, lastError: 'connect ECONNREFUSED', lagChanges: 2, lastContactAt: new Date(NOW - 3_600_000).toISOString() }), 'x', NOW);
    expect(text).toContain('not yet received 2 (as of 60 min ago)');
  });

  it('prints the figure alone from a server that does not say when (an older one)', () => {
    const text = formatStatus(statusOf({ state: 'ok', lagChanges: 0 }), 'x', NOW);
    expect(text).toMatch(/not yet received 0$/);
  });
});

// A peer last synced three days ago read "last success 4320 min ago".
describe('express-sqlite-sync status: how long ago, in units a person reads', () => {
  it.each([
    [30_000, 'last success 30s ago'],
    [90 * 60_000, 'last success 90 min ago'],
    [5 * 3_600_000, 'last success 5 h ago'],
    [3 * 86_400_000, 'last success 3 days ago'],
  ])('%i ms ago reads "%s"', (ms, expected) => {
    expect(formatStatus(statusOf({ state: 'ok', lastSuccessAt: new Date(NOW - ms).toISOString() }), 'x', NOW)).toContain(expected);
  });
});
