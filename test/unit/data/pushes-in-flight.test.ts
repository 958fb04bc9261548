import { PUSH_LANDING_WAIT_MS, PushesInFlight, pushLandingWaitMs } from '../../../lib/data/pushes-in-flight';

/** A promise and its settlers. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('PushesInFlight', () => {
  it('starts a pull at its own cursor when no push page is on its way, or when the page does not hold the next seq', async () => {
    const pushes = new PushesInFlight();
    let waits = 0;
    expect(await pushes.landing('a', 5, () => (waits += 1))).toBe(5);
    const answer = deferred<string>();
    void pushes.track('a', 10, 20, answer.promise);
    expect(await pushes.landing('a', 5, () => (waits += 1))).toBe(5); // the pull asks for seqs before the page
    expect(await pushes.landing('a', 20, () => (waits += 1))).toBe(20); // and after it
    expect(await pushes.landing('b', 10, () => (waits += 1))).toBe(10); // another peer
    expect(waits).toBe(0);
    answer.resolve('applied');
  });

  it('starts after the page once it landed, and after the next one sent meanwhile', async () => {
    const pushes = new PushesInFlight();
    const first = deferred<string>();
    const second = deferred<string>();
    expect(pushes.track('a', 10, 20, first.promise)).toBe(first.promise);
    let waits = 0;
    const landing = pushes.landing('a', 12, () => (waits += 1));
    first.resolve('applied');
    void pushes.track('a', 20, 30, second.promise); // the push's next page, sent as the first landed
    await new Promise((resolve) => setImmediate(resolve));
    second.resolve('applied');
    expect(await landing).toBe(30);
    expect(waits).toBe(2);
  });

  it('passes nothing over when the page is lost, or does not land in time', async () => {
    const pushes = new PushesInFlight();
    const lost = deferred<string>();
    void pushes.track('a', 10, 20, lost.promise).catch(() => undefined);
    const landing = pushes.landing('a', 10, () => undefined);
    lost.reject(new Error('cut on the way'));
    expect(await landing).toBe(10);
    const slow = deferred<string>();
    void pushes.track('a', 10, 20, slow.promise);
    expect(await pushes.landing('a', 10, () => undefined, 20)).toBe(10);
    slow.resolve('applied');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await pushes.landing('a', 10, () => undefined)).toBe(10); // landed: no longer on its way
  });

  it('waits at most half the timeout a puller tells, never more than the default; a header that is no positive integer is passed over', () => {
    expect(pushLandingWaitMs(undefined)).toBe(PUSH_LANDING_WAIT_MS);
    expect(pushLandingWaitMs('1000')).toBe(500);
    expect(pushLandingWaitMs('1')).toBe(0);
    expect(pushLandingWaitMs('60000')).toBe(PUSH_LANDING_WAIT_MS);
    for (const odd of ['0', '-5', '1.5', 'abc', '', ' 1000', '1e3', '99999999999999999999', '0100']) expect(pushLandingWaitMs(odd)).toBe(PUSH_LANDING_WAIT_MS);
    expect(pushLandingWaitMs(['1000', '2000'])).toBe(PUSH_LANDING_WAIT_MS);
  });
});
