import { SyncError } from '../../../lib/sync-error';
import { waitForPosition, type PositionWait } from '../../../lib/peers/nats/position-wait';

/** A consumer whose position moves only when the test says (`step`), or never. */
class StillConsumer {
  reached = 0;
  /** Added to `reached` at every poll. */
  step = 0;
  /** Whether a message or an apply is under way (the delivery is not idle). */
  busy = false;
  readonly #since = Date.now();
  idleMs(): number {
    return this.busy ? 0 : Date.now() - this.#since;
  }
  async nextProgress(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    this.reached += this.step;
  }
}

function waitOn(consumer: StillConsumer, timing: { timeoutMs: number; restartMs: number }, restart: () => void): PositionWait {
  return { consumer, stream: 'S', ...timing, restart, failedSince: () => undefined, closed: () => false };
}

describe('waitForPosition restarts a delivery that stays still (a pull the restarted nats-server lost)', () => {
  it('restarts the delivery once the position stayed still for restartMs, and the round ends when that brings it', async () => {
    const consumer = new StillConsumer();
    let restarts = 0;
    const restart = (): void => {
      restarts += 1;
      consumer.reached = 10; // the new delivery reads the stream to its end
    };
    await waitForPosition(waitOn(consumer, { timeoutMs: 60_000, restartMs: 20 }, restart), 10, 0, () => undefined);
    expect(restarts).toBe(1);
  });

  it('restarts again while the position stays still, then fails with NATS_TIMEOUT at timeoutMs', async () => {
    const consumer = new StillConsumer();
    let restarts = 0;
    const failure = await waitForPosition(waitOn(consumer, { timeoutMs: 200, restartMs: 20 }, () => (restarts += 1)), 10, 0, () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SyncError);
    expect(failure).toMatchObject({ code: 'NATS_TIMEOUT', status: 504 });
    expect(restarts).toBeGreaterThanOrEqual(2);
  });

  it('never restarts a delivery that is busy (a batch applying, a catch-up under way): the round ends with NATS_TIMEOUT at timeoutMs', async () => {
    const consumer = new StillConsumer();
    consumer.busy = true;
    let restarts = 0;
    const failure = await waitForPosition(waitOn(consumer, { timeoutMs: 200, restartMs: 20 }, () => (restarts += 1)), 10, 0, () => undefined).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'NATS_TIMEOUT' });
    expect(restarts).toBe(0);
  });

  it('never restarts a delivery whose position keeps moving', async () => {
    const consumer = new StillConsumer();
    consumer.step = 1;
    let restarts = 0;
    let progressed = 0;
    await waitForPosition(waitOn(consumer, { timeoutMs: 60_000, restartMs: 60_000 }, () => (restarts += 1)), 20, 0, () => (progressed += 1));
    expect(restarts).toBe(0);
    expect(progressed).toBeGreaterThan(0);
  });
});
