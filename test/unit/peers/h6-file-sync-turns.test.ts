import { FileSyncTurns } from '../../../lib/peers/file-sync-turns';

/** A promise and its resolver. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('FileSyncTurns', () => {
  it('runs up to its limit at once, the rest in arrival order as turns free up', async () => {
    const turns = new FileSyncTurns(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const runs = gates.map((each, index) =>
      turns.run(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await each.opened;
        running -= 1;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const each of gates) each.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('frees the turn of a run that throws', async () => {
    const turns = new FileSyncTurns(1);
    await expect(turns.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await turns.run(() => Promise.resolve('next'))).toBe('next');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %p', (limit) => {
    expect(() => new FileSyncTurns(limit)).toThrow(RangeError);
  });
});
