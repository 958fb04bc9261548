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

async function main(): Promise<void> {
  const only = process.argv[2];
  for (const [name, run] of SUITES) {
    if (only === name || (only === undefined && name !== 'peers' && name !== 'reports')) await run();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${String(error instanceof Error ? (error.stack ?? error.message) : error)}\n`);
  process.exitCode = 1;
});
