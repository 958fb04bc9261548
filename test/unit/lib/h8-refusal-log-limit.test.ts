import { REFUSAL_LINES_PER_WINDOW, REFUSAL_WINDOW_MS, RefusalLineLimit } from '../../../lib/refusal-log-limit';

describe('RefusalLineLimit', () => {
  let now: number;
  let limit: RefusalLineLimit;
  beforeEach(() => {
    now = Date.UTC(2026, 0, 1);
    limit = new RefusalLineLimit(() => now);
  });

  function verdicts(from: string, code: string, count: number): string[] {
    return Array.from({ length: count }, () => limit.verdict(from, code).verdict);
  }

  it('logs the first lines of a window per address and code, omits the rest, and reports them once when the window is over', () => {
    expect(verdicts('10.0.0.9', 'UNAUTHORIZED', REFUSAL_LINES_PER_WINDOW + 25)).toEqual([
      ...Array<string>(REFUSAL_LINES_PER_WINDOW - 1).fill('log'),
      'log-last',
      ...Array<string>(25).fill('omit'),
    ]);
    expect(verdicts('10.0.0.10', 'UNAUTHORIZED', 1)).toEqual(['log']);
    expect(verdicts('10.0.0.9', 'WRONG_TOKEN', 1)).toEqual(['log']);
    now += REFUSAL_WINDOW_MS - 1;
    expect(limit.finished()).toEqual([]);
    now += 1;
    expect(limit.finished()).toEqual([{ from: '10.0.0.9', code: 'UNAUTHORIZED', omitted: 25, since: '2026-01-01T00:00:00.000Z' }]);
    expect(limit.finished()).toEqual([]);
    expect(verdicts('10.0.0.9', 'UNAUTHORIZED', 1)).toEqual(['log']);
  });

  it('follows a bounded number of addresses: a scan of many shares one window past it', () => {
    for (let i = 0; i < 5000; i += 1) limit.verdict(`fd00::${i.toString(16)}`, 'UNAUTHORIZED');
    now += REFUSAL_WINDOW_MS;
    const ended = limit.finished();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ from: '*', code: 'UNAUTHORIZED' });
    expect(ended[0]?.omitted).toBeLessThan(5000);
  });
});
