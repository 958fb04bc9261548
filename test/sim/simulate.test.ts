import { simulate } from '../../sim/simulate';
import type { SimOptions, Topology } from '../../sim/fleet';

const SMALL: Omit<SimOptions, 'topology'> = {
  servers: 7,
  writes: 3,
  updates: 2,
  durationMs: 20_000,
  pollMs: 2000,
  offlineShare: 0.3,
  venueSize: 3,
  loss: 0.05,
  lanMs: 2,
  wanMs: 40,
  seed: 7,
};

describe('the fleet simulation (real capture, reader and merge; virtual time)', () => {
  it.each<Topology>(['mesh', 'star', 'nats'])('%s: every row reaches every server and no table differs, despite offline servers, a cut-off venue and lost requests', (topology) => {
    const outcome = simulate({ ...SMALL, topology });
    expect(outcome.unconverged).toBe(0);
    expect(outcome.divergent).toBe(0);
    expect(outcome.p99).toBeGreaterThan(0);
    expect(outcome.deliveryP50).toBeLessThanOrEqual(outcome.p50);
    expect(outcome.perSecond).toBeGreaterThan(0);
  });

  it('is repeatable: the same seed gives the same figures', () => {
    const first = simulate({ ...SMALL, topology: 'nats' });
    const second = simulate({ ...SMALL, topology: 'nats' });
    expect([second.p50, second.p99, second.bytesMean, second.perSecond]).toEqual([first.p50, first.p99, first.bytesMean, first.perSecond]);
  });
});
