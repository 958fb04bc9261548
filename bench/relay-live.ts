import type { DemoServer } from '../sample-app/demo/cluster';
import { startDemoCluster } from '../sample-app/demo/cluster';
import { SCOUTING_TABLES } from '../sample-app/scouting-schema';
import { emit } from './figure';
import { TOKEN } from './harness';
import { writeReports } from './sample-rows';

/** Periodic sync of each server, as a sample app runs it (`SYNC_INTERVAL_MS`), short so rounds meet often. */
const INTERVAL_MS = 1000;
const WRITE_SECONDS = 10;
const BURST = 100;

/** Rows a burst of {@link writeReports} writes. */
const BURST_ROWS = BURST + 40 + Math.ceil(BURST / 40);

/** Rows that moved between servers `i` and `j`, both ways, as both clients counted them. */
function linkRows(servers: readonly DemoServer[], i: number, j: number): number {
  const moved = (from: number, to: number): number => {
    const totals = servers[from]?.sync.client?.totals().get(servers[to]?.syncUrl ?? '');
    return (totals?.rowsPulled ?? 0) + (totals?.rowsPushed ?? 0);
  };
  return moved(i, j) + moved(j, i);
}

function directed(servers: readonly DemoServer[]): Record<string, number> {
  const t = (from: number, to: number) => servers[from]?.sync.client?.totals().get(servers[to]?.syncUrl ?? '');
  return { a_to_b: (t(0, 1)?.rowsPushed ?? 0) + (t(1, 0)?.rowsPulled ?? 0), b_to_a: (t(0, 1)?.rowsPulled ?? 0) + (t(1, 0)?.rowsPushed ?? 0), b_to_c: (t(1, 2)?.rowsPushed ?? 0) + (t(2, 1)?.rowsPulled ?? 0), c_to_b: (t(1, 2)?.rowsPulled ?? 0) + (t(2, 1)?.rowsPushed ?? 0) };
}

/**
 * A chain A – B – C of sample apps on their own timers (every second), while A
 * and C write bursts of rows for 10 s: rounds of the two ends of a link meet
 * (a pull while a push is on its way). Each row must cross each link once.
 */
export async function relayChainLive(dir: string): Promise<void> {
  const cluster = await startDemoCluster(['A', 'B', 'C'], dir, TOKEN, (index, count) => [index - 1, index + 1].filter((other) => other >= 0 && other < count));
  try {
    const servers = cluster.servers;
    const [a, b, c] = servers as [DemoServer, DemoServer, DemoServer];
    for (const server of servers) server.sync.client?.start(INTERVAL_MS);
    let written = 0;
    let burst = 0;
    for (const end = Date.now() + WRITE_SECONDS * 1000; Date.now() < end; burst += 1) {
      writeReports(a.db, BURST, `ann ${burst}`);
      writeReports(c.db, BURST, `cid ${burst}`);
      written += 2 * BURST_ROWS;
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
    const reports = written - (2 * burst * (40 + Math.ceil(BURST / 40)));
    const count = (server: DemoServer): number => server.db.prepare('SELECT count(*) FROM match_reports').pluck().get() as number;
    const settleBy = Date.now() + 120_000;
    while (![a, b, c].every((server) => count(server) === reports) && Date.now() < settleBy) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS)); // rounds after convergence must move nothing
    // Every row, wherever written (the bursts, and the app's own events), crosses each link once.
    const rows = SCOUTING_TABLES.reduce((total, table) => total + (b.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number), 0);
    const ab = linkRows(servers, 0, 1) / rows;
    const bc = linkRows(servers, 1, 2) / rows;
    const worst = Math.max(ab, bc);
    emit({
      bench: 'wire',
      figure: 'relay_chain_live_rows_per_link',
      value: Math.round(worst * 1000) / 1000,
      unit: 'ratio',
      target: '<= 1.0 (each change once per link)',
      met: worst <= 1 && [a, b, c].every((server) => count(server) === reports),
      detail: { ...(process.env.RELAY_DEBUG === undefined ? {} : directed(servers)), rows_written_in_bursts: written, rows_in_each_database: rows, a_b: Math.round(ab * 1000) / 1000, b_c: Math.round(bc * 1000) / 1000, interval_ms: INTERVAL_MS, write_seconds: WRITE_SECONDS, reports_on_a_b_c: [a, b, c].map(count).join('/') },
    });
  } finally {
    await cluster.close();
  }
}
