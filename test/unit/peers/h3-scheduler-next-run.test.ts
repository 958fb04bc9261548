import { SyncScheduler } from '../../../lib/peers/scheduler';

const BACKOFF = { baseMs: 1000, maxMs: 60_000 };
const PEER = 'http://10.0.0.2:5000/api/sync';

// While a round ran, nextRunAt kept the time it was due (now past): /status said the next sync was
// due, the status page "due now", `status` "next try in 0s", and /metrics' next-attempt timestamp
// looked overdue for as long as a long file sync took. No next round is planned until it ends.
describe('SyncScheduler: nextRunAt while a round runs', () => {
  it('is undefined while it runs: none is planned until it ends', async () => {
    let release: (() => void) | undefined;
    let started: (() => void) | undefined;
    const begun = new Promise<void>((resolve) => {
      started = resolve;
    });
    const scheduler = new SyncScheduler<string>({
      peers: [PEER],
      runOnce: () =>
        new Promise<string>((resolve) => {
          release = () => resolve('done');
          started?.();
        }),
      isFailure: () => undefined,
      backoff: BACKOFF,
    });
    try {
      scheduler.start(3_600_000); // the first round at once, the next in an hour
      await begun;
      expect(scheduler.status().get(PEER)).toMatchObject({ running: true, nextRunAt: undefined });
    } finally {
      release?.();
      await scheduler.stop();
    }
  });

  it('is planned again once the round ends', async () => {
    const scheduler = new SyncScheduler<string>({ peers: [PEER], runOnce: () => Promise.resolve('done'), isFailure: () => undefined, backoff: BACKOFF });
    try {
      scheduler.start(3_600_000);
      await scheduler.syncNow(PEER);
      const next = scheduler.status().get(PEER)?.nextRunAt;
      expect(next).toBeGreaterThan(Date.now() + 3_000_000);
    } finally {
      await scheduler.stop();
    }
  });
});
