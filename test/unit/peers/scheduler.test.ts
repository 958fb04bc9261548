import { nextDelayMs, SyncScheduler } from '../../../lib/peers/scheduler';

const BACKOFF = { baseMs: 1000, maxMs: 60_000 };

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('nextDelayMs', () => {
  it('waits the interval after a success', () => {
    expect(nextDelayMs(0, 30_000, BACKOFF)).toBe(30_000);
  });

  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 1, 4000],
    [7, 1, 60_000],
    [50, 0.5, 45_000],
  ])('after %i failures with random %f waits %i ms (equal jitter, capped)', (failures, random, expected) => {
    expect(nextDelayMs(failures, 30_000, BACKOFF, () => random)).toBe(expected);
  });
});

/** A scheduler of one peer whose sync waits for `gate`; `calls()` counts the syncs started. */
function gatedScheduler() {
  const gate = deferred<string>();
  let started = 0;
  const scheduler = new SyncScheduler<string>({
    peers: ['a'],
    runOnce: () => {
      started += 1;
      return gate.promise;
    },
    isFailure: () => undefined,
    backoff: BACKOFF,
  });
  return { gate, scheduler, calls: () => started };
}

describe('SyncScheduler', () => {
  it('runs one sync per peer at a time: requests made while one runs share one more run after it (sync now includes what was written meanwhile)', async () => {
    const { gate, calls, scheduler } = gatedScheduler();
    const first = scheduler.syncNow('a');
    const second = scheduler.syncNow('a');
    const third = scheduler.syncNow('a');
    expect(scheduler.status().get('a')?.running).toBe(true);
    expect(calls()).toBe(1);
    gate.resolve('done');
    await expect(Promise.all([first, second, third])).resolves.toEqual(['done', 'done', 'done']);
    expect(calls()).toBe(2);
    expect(scheduler.status().get('a')).toMatchObject({ running: false, failures: 0, lastResult: 'done', lastError: undefined });
  });

  it('once stopped, a request made while a run was going gives that run\'s result and starts nothing more', async () => {
    const { gate, calls, scheduler } = gatedScheduler();
    const first = scheduler.syncNow('a');
    const second = scheduler.syncNow('a');
    const stopped = scheduler.stop();
    gate.resolve('done');
    await stopped;
    await expect(Promise.all([first, second])).resolves.toEqual(['done', 'done']);
    expect(calls()).toBe(1);
  });

  it('retries a peer that is down with growing delays while the other peers keep syncing', async () => {
    const attempts = { up: 0, down: 0 };
    const scheduler = new SyncScheduler<string>({
      peers: ['up', 'down'],
      runOnce: async (peer) => {
        attempts[peer as 'up' | 'down'] += 1;
        if (peer === 'down') throw new Error('connect ECONNREFUSED');
        return 'ok';
      },
      isFailure: () => undefined,
      backoff: { baseMs: 2, maxMs: 20 },
      random: () => 1,
    });
    scheduler.start(5);
    await until(() => attempts.down >= 4 && attempts.up >= 4);
    await scheduler.stop();
    const status = scheduler.status();
    expect(status.get('down')).toMatchObject({ lastError: 'connect ECONNREFUSED', lastSuccessAt: undefined });
    expect(status.get('down')?.failures).toBeGreaterThanOrEqual(4);
    expect(status.get('up')).toMatchObject({ failures: 0, lastError: undefined, lastResult: 'ok' });
  });

  it('counts a result that reports an error as a failure, and a later success clears it', async () => {
    let fail = true;
    const scheduler = new SyncScheduler<{ error?: string }>({
      peers: ['p'],
      runOnce: async () => (fail ? { error: 'schema mismatch' } : {}),
      isFailure: (result) => result.error,
      backoff: BACKOFF,
    });
    await scheduler.syncNow('p');
    expect(scheduler.status().get('p')).toMatchObject({ failures: 1, lastError: 'schema mismatch' });
    fail = false;
    await scheduler.syncNow('p');
    expect(scheduler.status().get('p')).toMatchObject({ failures: 0, lastError: undefined });
    expect(scheduler.status().get('p')?.lastSuccessAt).toEqual(expect.any(Number));
  });

  it('stop() waits for the running sync and schedules nothing after it', async () => {
    const { gate, calls, scheduler } = gatedScheduler();
    scheduler.start(1);
    await until(() => calls() === 1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve('late');
    await stopping;
    expect(scheduler.status().get('a')).toMatchObject({ running: false, nextRunAt: undefined, lastResult: 'late' });
    expect(calls()).toBe(1);
  });

  it('refuses an unknown peer and a bad interval', () => {
    const scheduler = new SyncScheduler<string>({ peers: ['a'], runOnce: async () => 'x', isFailure: () => undefined, backoff: BACKOFF });
    expect(() => scheduler.syncNow('b')).toThrow(RangeError);
    expect(() => scheduler.start(0)).toThrow(RangeError);
  });

  it.each([2_147_483_648, 3e9])('refuses start(%d): above Node\'s longest timer, which would fire after 1 ms and sync without pause', (interval) => {
    const scheduler = new SyncScheduler<string>({ peers: ['a'], runOnce: async () => 'x', isFailure: () => undefined, backoff: BACKOFF });
    expect(() => scheduler.start(interval)).toThrow(/at most 2147483647/);
    expect(scheduler.status().get('a')?.nextRunAt).toBeUndefined();
  });

  it('accepts start(2147483647), the longest timer, and schedules the first run now', async () => {
    const scheduler = new SyncScheduler<string>({ peers: ['a'], runOnce: async () => 'x', isFailure: () => undefined, backoff: BACKOFF });
    scheduler.start(2_147_483_647);
    await until(() => scheduler.status().get('a')?.lastSuccessAt !== undefined);
    await scheduler.stop();
  });
});
