import { execFile } from 'node:child_process';
import path from 'node:path';

const BENCH = path.resolve(__dirname, '..', '..', 'bench', 'run.ts');
const TS_NODE = require.resolve('ts-node/dist/bin.js');

/** Runs `npm run bench -- <args>` as npm runs it (ts-node, transpile only); a run past 30 s is cut (a real suite would take minutes). */
function bench(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TS_NODE, '--transpile-only', BENCH, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/**
 * `npm run bench -- peer` (for `peers`) or `-- wires` ran no suite, printed
 * nothing and exited 0: a CI job or an operator waiting for the figures took
 * an empty run for a finished one. A name that is no suite is now exit 2 with
 * the suites' names, and nothing is run.
 */
describe('npm run bench -- <suite> with a name that is no suite', () => {
  it.each([['peer'], ['wires'], ['--peers'], ['peers', 'wire']])('%j: exit 2 naming the suites, nothing run', async (...args) => {
    const run = await bench(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^bench: /);
    expect(run.stderr).toContain('files, data, sync, wire, snapshot, nats, peers, reports');
    expect(run.stderr).toContain('usage: npm run bench [-- <suite>]');
  });
});
