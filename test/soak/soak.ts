import fc from 'fast-check';
import { divergences } from '../property/scenario/checks';
import { scenarioArbitrary } from '../property/scenario/world';

/**
 * `npm run soak -- --runs 10000 [--seed 1]`: runs that many seeded scenarios of
 * the convergence property (test/property/convergence.test.ts), each to
 * quiescence, and prints how many diverged, with the seed of each failure
 * (replay one with `--seed <seed> --runs 1`). Exit code 1 when any diverged.
 */
function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : Number(process.argv[at + 1]);
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value)) throw new RangeError(`--${name} needs an integer`);
  return value;
}

function main(): void {
  const runs = option('runs', 1000);
  const first = option('seed', 1);
  const started = Date.now();
  const failures: { seed: number; problem: string }[] = [];
  for (let seed = first; seed < first + runs; seed += 1) {
    const [scenario] = fc.sample(scenarioArbitrary, { seed, numRuns: 1 });
    const problems = scenario === undefined ? ['no scenario'] : divergences(scenario);
    if (problems.length > 0) {
      failures.push({ seed, problem: problems[0] ?? '' });
      process.stdout.write(`diverged: seed ${seed}: ${(problems[0] ?? '').split('\n')[0] ?? ''}\n`);
    }
    if ((seed - first + 1) % 500 === 0) process.stdout.write(`… ${seed - first + 1} scenarios, ${failures.length} diverged, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  const seeds = failures.map((failure) => failure.seed).join(', ');
  process.stdout.write(`${JSON.stringify({ scenarios: runs, firstSeed: first, diverged: failures.length, seeds: failures.map((failure) => failure.seed), seconds: Math.round((Date.now() - started) / 1000) })}\n`);
  process.stdout.write(failures.length === 0 ? `soak: ${runs} scenarios, 0 diverged\n` : `soak: ${runs} scenarios, ${failures.length} diverged (seeds ${seeds}); replay one with: npm run soak -- --seed <seed> --runs 1\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main();
