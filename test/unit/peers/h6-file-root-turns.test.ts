import { RootTurns } from '../../../lib/peers/file-root-turns';

describe('RootTurns', () => {
  it('gives the free roots first, and a held one once it is released', async () => {
    const turns = new RootTurns();
    const first = ['config', 'uploads'];
    expect(await turns.take(first)).toBe('config'); // round A holds config
    const second = ['config', 'uploads', 'logs'];
    expect(await turns.take(second)).toBe('uploads'); // round B passes config by
    turns.release('uploads');
    expect(await turns.take(second)).toBe('logs');
    turns.release('logs');
    let got: string | undefined;
    const waiting = turns.take(second).then((root) => (got = root));
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toBeUndefined(); // config is still A's
    turns.release('config');
    expect(await waiting).toBe('config');
    expect(second).toEqual([]);
    expect(first).toEqual(['uploads']);
  });

  it('refuses to take from nothing', async () => {
    await expect(new RootTurns().take([])).rejects.toThrow(RangeError);
  });
});
