import { execFile } from 'node:child_process';
import path from 'node:path';

const SOAK = path.resolve(__dirname, '..', 'soak', 'soak.ts');
const TS_NODE = require.resolve('ts-node/dist/bin.js');

/** Runs `npm run soak -- <args>` as npm runs it (ts-node, transpile only); a run past 30 s is cut. */
function soak(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TS_NODE, '--transpile-only', SOAK, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('npm run soak -- options', () => {
  it('--runs=N is --runs N: it runs that many scenarios and prints how many diverged', async () => {
    const run = await soak('--runs=2', '--seed=40');
    expect(run).toEqual({ code: 0, stdout: expect.stringContaining('soak: 2 scenarios, 0 diverged\n'), stderr: '' });
    expect(run.stdout).toContain('{"scenarios":2,"firstSeed":40,"diverged":0,"seeds":[]');
  });

  it.each([
    [['--runs', 'x'], '--runs needs an integer, not "x"'],
    [['--runs', '0'], '--runs needs at least 1 scenario, not 0'],
    [['--run', '5'], '"--run" is not an option it takes'],
  ])('%j: exit 2 with what is wrong and the usage, no stack trace, no scenario run', async (args, said) => {
    const run = await soak(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`soak: ${run.stderr.slice(6).split('\n')[0] ?? ''}\nusage: npm run soak -- [--runs <scenarios, at least 1>] [--seed <first seed, an integer>]\n`);
    expect(run.stderr).toContain(said);
  });
});
