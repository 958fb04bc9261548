import { backupSteps } from '../../../lib/data/backup';

describe('online backup steps', () => {
  it('copies 256 pages a step, reporting progress, while the source stays still', () => {
    const seen: [number, number][] = [];
    const step = backupSteps((copied, total) => seen.push([copied, total]));
    expect(step({ totalPages: 1000, remainingPages: 1000 })).toBe(256);
    expect(step({ totalPages: 1000, remainingPages: 744 })).toBe(256);
    expect(seen).toEqual([
      [0, 1000],
      [256, 1000],
    ]);
  });

  it('copies the rest in one step once writes made it start over twice, so a busy server cannot keep it running for ever', () => {
    const step = backupSteps(undefined);
    expect(step({ totalPages: 1000, remainingPages: 1000 })).toBe(256);
    expect(step({ totalPages: 1000, remainingPages: 500 })).toBe(256);
    expect(step({ totalPages: 1001, remainingPages: 1001 })).toBe(256); // a write: it started over
    expect(step({ totalPages: 1001, remainingPages: 600 })).toBe(256);
    expect(step({ totalPages: 1002, remainingPages: 1002 })).toBeGreaterThanOrEqual(1002);
  });
});
