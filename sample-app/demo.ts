import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemoCluster, type DemoCluster, type DemoServer } from './demo/cluster';
import { conflictLines, digestTable, outcomeLines, verdictLine } from './demo/summary';
import { describeRound, syncRound, syncUntilEqual } from './demo/rounds';
import { editEverywhere, seed } from './demo/scenario';
import { databaseFileSummary, databaseFilesAreOwn, readState } from './demo/state';

/** Sync rounds after the edits before the demo gives up. */
const MAX_ROUNDS = 5;

/** Where the demo writes its lines. */
export type DemoOutput = (line?: string) => void;

const writeLine: DemoOutput = (line = '') => {
  process.stdout.write(`${line}\n`);
};

async function runScenario(servers: readonly DemoServer[], token: string, say: DemoOutput): Promise<boolean> {
  const [first] = servers;
  if (first === undefined) throw new Error('no servers');
  say(`1. Server ${first.name} enters team 254, match Q1, two reports and config/event.json; one round spreads them.`);
  const seeded = await seed(first);
  say(`   round 0: ${describeRound(await syncRound(servers, token))}`);
  say('2. At the same time, before any sync:');
  say('   - every server adds its own team, match and report, a pit photo (through /photos) and config/server-<name>.json;');
  say(`   - every server edits the same report (notes and teleop points);`);
  say(`   - ${first.name} deletes a report while ${servers[servers.length - 1]?.name ?? '?'} edits it;`);
  say(`   - ${first.name} and ${servers[1]?.name ?? '?'} both change config/event.json.`);
  await editEverywhere(servers, seeded);
  say('3. Sync rounds (each server in turn syncs with both others):');
  const converged = await syncUntilEqual(servers, token, MAX_ROUNDS, (round, summary) => {
    say(`   round ${round}: ${describeRound(summary)}`);
    for (const failure of summary.failures.slice(0, 5)) say(`     failed: ${failure}`);
  });
  const states = servers.map(readState);
  say();
  say(digestTable(servers, states));
  say();
  say('File conflict copies (the other version, kept beside the one that stays):');
  for (const line of conflictLines(servers, states)) say(line);
  say('Contested rows:');
  for (const line of outcomeLines(first.db, seeded)) say(line);
  say();
  say(`Database files: ${databaseFileSummary(servers)}.`);
  say();
  const verdict = verdictLine(states, converged && databaseFilesAreOwn(servers));
  say(verdict.line);
  return verdict.converged;
}

/**
 * The demo (`npm run demo`): three sample-app servers on free ports of 127.0.0.1 with
 * temporary data directories, concurrent and conflicting edits on each, sync
 * rounds, then per-table and per-root digests. Exit code 0 when the servers
 * converged, 1 otherwise; everything is stopped and removed either way.
 */
export async function runDemo(say: DemoOutput = writeLine): Promise<number> {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'ess-demo-'));
  const token = randomBytes(16).toString('hex');
  let cluster: DemoCluster | undefined;
  try {
    cluster = await startDemoCluster(['A', 'B', 'C'], baseDir, token);
    say('express-sqlite-sync demo: three servers, each with its own SQLite database, syncing as a mesh');
    for (const server of cluster.servers) say(`  ${server.name}  ${server.url}  (data in ${server.dataDir})`);
    say();
    return (await runScenario(cluster.servers, token, say)) ? 0 : 1;
  } finally {
    await cluster?.close();
    rmSync(baseDir, { recursive: true, force: true });
    say(`Stopped the servers and removed ${baseDir}.`);
  }
}

if (require.main === module) {
  runDemo().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
