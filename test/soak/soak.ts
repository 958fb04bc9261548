import fc from 'fast-check';
import { divergences } from '../property/scenario/checks';
import { scenarioArbitrary } from '../property/scenario/world';

/**
 * `npm run soak -- --runs 10000 [--seed 1]`: runs that many seeded scenarios of
 * the convergence property (test/property/convergence.test.ts), each to
 * quiescence, and prints how many diverged, with the seed of each failure
 * (replay one with `--seed <seed> --runs 1`). Exit code 1 when any diverged,
 * 2 for options it does not take (`--runs=N` is `--runs N`).
 */
const USAGE = 'usage: npm run soak -- [--runs <scenarios, at least 1>] [--seed <first seed, an integer>]';

/** The options as given: `--runs` and `--seed`, each once, as `--name value` or `--name=value`. */
function readOptions(argv: readonly string[]): { readonly runs: number; readonly first: number } {
  const given = new Map<string, string>();
  for (let at = 0; at < argv.length; at += 1) {
    const [name = '', inline] = (argv[at] ?? '').split(/=(.*)/s, 2);
    if ((name !== '--runs' && name !== '--seed') || given.has(name)) throw new RangeError(`${JSON.stringify(argv[at])} is not an option it takes, or is given twice`);
    const value = inline ?? argv[(at += 1)];
    if (value === undefined || !/^-?[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new RangeError(`${name} needs an integer, not ${JSON.stringify(value ?? '')}`);
    given.set(name, value);
  }
  const runs = Number(given.get('--runs') ?? 1000);
  if (runs < 1) throw new RangeError(`--runs needs at least 1 scenario, not ${runs}`);
  return { runs, first: Number(given.get('--seed') ?? 1) };
}

function soak(runs: number, first: number): void {
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

function main(): void {
  let options: { readonly runs: number; readonly first: number };
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  soak(options.runs, options.first);
}

main();
