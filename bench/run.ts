import { runDataBenchmarks } from './data';
import { runFileBenchmarks } from './files';
import { runNatsBenchmarks } from './nats';
import { runPeerBenchmarks } from './peers';
import { runReportsScalingBenchmark } from './reports';
import { runSnapshotBenchmarks } from './snapshot';
import { runSyncBenchmarks } from './sync';
import { runWireBenchmarks } from './wire';

/**
 * Every benchmark suite, in order; each prints its own JSON lines. `peers`
 * runs only when named (`npm run bench -- peers`): it installs the peer
 * systems from npm into a temp folder first. `reports` (the sample app's
 * `match_reports` at 100k and 1M rows) runs within `snapshot`, or alone when named.
 */
const SUITES: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  ['files', runFileBenchmarks],
  ['data', runDataBenchmarks],
  ['sync', runSyncBenchmarks],
  ['wire', runWireBenchmarks],
  ['snapshot', runSnapshotBenchmarks],
  ['nats', runNatsBenchmarks],
  ['peers', runPeerBenchmarks],
  ['reports', runReportsScalingBenchmark],
];

/** Why `args` name no suite (a typo, a flag, two names), or undefined when they name one suite or none. */
function usageProblem(args: readonly string[]): string | undefined {
  if (args.length > 1) return `one suite at a time, not ${args.length} (${args.join(' ')})`;
  const only = args[0];
  if (only === undefined || SUITES.some(([name]) => name === only)) return undefined;
  return `${JSON.stringify(only)} is no suite`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const problem = usageProblem(args);
  if (problem !== undefined) {
    // A typo ran nothing and exited 0: an empty run looked like a finished one.
    process.stderr.write(`bench: ${problem}; the suites are ${SUITES.map(([name]) => name).join(', ')}\nusage: npm run bench [-- <suite>]\n`);
    process.exitCode = 2;
    return;
  }
  const only = args[0];
  for (const [name, run] of SUITES) {
    if (only === name || (only === undefined && name !== 'peers' && name !== 'reports')) await run();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error instanceof Error ? (error.stack ?? error.message) : error)}\n`);
  process.exitCode = 1;
});
