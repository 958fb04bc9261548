import { SyncScheduler } from '../../../lib/peers/scheduler';

const BACKOFF = { baseMs: 1000, maxMs: 60_000 };
const PEER = 'http://10.0.0.2:5000/api/sync';
const HOUR = 3_600_000;

/**
 * `backsOff`: a failure it exempts (a round whose files lacked rights or room while its data went through) is
 * counted and shown, but the next round comes at the interval, and it ends a streak of failures that back off,
 * so the next one that does backs off from its first step.
 */
describe('SyncScheduler: failures that do not back off', () => {
  function scheduler(outcomes: string[]): SyncScheduler<string> {
    return new SyncScheduler<string>({
      peers: [PEER],
      runOnce: () => Promise.resolve(outcomes.shift() ?? 'ok'),
      isFailure: (result) => (result === 'ok' ? undefined : result),
      backsOff: (result) => result !== 'files',
      backoff: BACKOFF,
      random: () => 1,
    });
  }

  it('keeps the interval after a failure that does not back off, however many in a row, and counts each', async () => {
    const s = scheduler(['files', 'files', 'files']);
    try {
      s.start(HOUR);
      for (let round = 1; round <= 3; round += 1) {
        await s.syncNow(PEER);
        expect(s.status().get(PEER)).toMatchObject({ failures: round, backoffFailures: 0, lastError: 'files' });
        expect(s.status().get(PEER)?.nextRunAt).toBeGreaterThan(Date.now() + HOUR - 60_000);
      }
    } finally {
      await s.stop();
    }
  });

  it('backs off from the first step after such a failure, and a failure that backs off still does', async () => {
    const s = scheduler(['down', 'down', 'files', 'down']);
    try {
      s.start(HOUR);
      await s.syncNow(PEER);
      await s.syncNow(PEER);
      expect(s.status().get(PEER)).toMatchObject({ failures: 2, backoffFailures: 2 });
      expect(s.status().get(PEER)?.nextRunAt).toBeLessThanOrEqual(Date.now() + 2_000); // the second step: 2 s
      await s.syncNow(PEER);
      expect(s.status().get(PEER)).toMatchObject({ failures: 3, backoffFailures: 0 });
      await s.syncNow(PEER);
      expect(s.status().get(PEER)).toMatchObject({ failures: 4, backoffFailures: 1 });
      expect(s.status().get(PEER)?.nextRunAt).toBeLessThanOrEqual(Date.now() + 1_000); // the first step again
    } finally {
      await s.stop();
    }
  });

  it('backs off from every failure when not given, and from a thrown error', async () => {
    const thrown = new SyncScheduler<string>({ peers: [PEER], runOnce: () => Promise.reject(new Error('boom')), isFailure: () => undefined, backsOff: () => false, backoff: BACKOFF, random: () => 1 });
    const plain = new SyncScheduler<string>({ peers: [PEER], runOnce: () => Promise.resolve('files'), isFailure: (result) => result, backoff: BACKOFF, random: () => 1 });
    try {
      for (const s of [thrown, plain]) {
        s.start(HOUR);
        await s.syncNow(PEER).catch(() => undefined);
        expect(s.status().get(PEER)).toMatchObject({ failures: 1, backoffFailures: 1 });
        expect(s.status().get(PEER)?.nextRunAt).toBeLessThanOrEqual(Date.now() + 1_000);
      }
    } finally {
      await thrown.stop();
      await plain.stop();
    }
  });
});
