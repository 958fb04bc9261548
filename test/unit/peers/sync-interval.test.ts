import { silentLogger } from '../../../lib/logger';
import { usableInterval } from '../../../lib/peers/sync-interval';

describe('usableInterval (SyncClient.start)', () => {
  it.each([['30000'], [null], [undefined], [{}]])('refuses %j with a TypeError naming its type, not a RangeError that hides it', (value) => {
    expect(() => usableInterval(value as unknown as number, silentLogger)).toThrow(TypeError);
    expect(() => usableInterval(value as unknown as number, silentLogger)).toThrow(/takes a number of milliseconds, got a/);
  });

  it('passes numbers through (raised to 1000 ms below it)', () => {
    expect(usableInterval(30_000, silentLogger)).toBe(30_000);
    expect(usableInterval(30, silentLogger)).toBe(1000);
    expect(usableInterval(-5, silentLogger)).toBe(-5); // the scheduler refuses it
  });

  it('takes { intervalMs } as issue 5 writes it: start({ intervalMs })', () => {
    expect(usableInterval({ intervalMs: 30_000 }, silentLogger)).toBe(30_000);
    expect(usableInterval({ intervalMs: 30 }, silentLogger)).toBe(1000);
    expect(() => usableInterval({ intervalMs: '30000' } as unknown as number, silentLogger)).toThrow(/takes a number of milliseconds, got a string/);
    expect(() => usableInterval({ intervalMs: 5000, every: 1 } as unknown as number, silentLogger)).toThrow(/takes only `intervalMs`, got `every`/);
  });
});
