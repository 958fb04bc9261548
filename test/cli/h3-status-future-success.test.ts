import { formatStatus } from '../../bin/commands/status';

type Status = Parameters<typeof formatStatus>[0];

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

function statusWithSuccessAt(lastSuccessAt: string): Status {
  const peer = { url: 'http://10.0.0.2:5000/api/sync', name: 'pit laptop', state: 'unreachable', running: false, failures: 4, lastSuccessAt, lastError: 'connect ECONNREFUSED', nextRunAt: null, lagChanges: 0, undeliveredChanges: 3, clockSkewMs: null };
  return { site: 'a'.repeat(32), seq: 9, name: null, conflicts: 0, peers: [peer] } as unknown as Status;
}

// A last success recorded while this server's clock was set a year ahead (kept in peers.json, fixed
// since) printed "last success 0s ago" for a peer unreachable ever since: it hid the outage.
describe('express-sqlite-sync status: a last success ahead of the server\'s clock', () => {
  it('says it is ahead (a clock was wrong), never "0s ago"', () => {
    const ahead = new Date(NOW + 365 * 24 * 3600 * 1000).toISOString();
    const text = formatStatus(statusWithSuccessAt(ahead), 'http://localhost:5000/api/sync', NOW);
    expect(text).not.toContain('0s ago');
    expect(text).toContain(`last success ${ahead} (ahead of the server's clock: a clock was wrong when it was recorded)`);
  });

  it.each([
    ['30 s ago', NOW - 30_000, 'last success 30s ago'],
    ['a few seconds ahead (the Date header has whole seconds)', NOW + 3_000, 'last success 0s ago'],
  ])('still prints a time %s as before', (_label, at, expected) => {
    expect(formatStatus(statusWithSuccessAt(new Date(at).toISOString()), 'x', NOW)).toContain(expected);
  });
});
