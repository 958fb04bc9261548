import type { PeerSyncResult, SyncStatus } from './sync-status';
import { formatTransportMetrics } from './transport-metrics';

/** Running totals of one peer's syncs since the process started. */
export interface PeerTotals {
  syncs: number;
  failures: number;
  rowsPulled: number;
  rowsPushed: number;
  filesUp: number;
  filesDown: number;
  filesDeleted: number;
  dataConflicts: number;
  fileConflicts: number;
  lastDurationMs: number;
}

/** Adds one sync's result to a peer's totals. */
export function addToTotals(totals: PeerTotals, result: PeerSyncResult): void {
  totals.syncs += 1;
  if (!result.ok) totals.failures += 1;
  totals.rowsPulled += result.rowsPulled;
  totals.rowsPushed += result.rowsPushed;
  totals.filesUp += result.filesUp;
  totals.filesDown += result.filesDown;
  totals.filesDeleted += result.filesDeleted;
  totals.dataConflicts += result.dataConflicts;
  totals.fileConflicts += result.fileConflicts.length;
  totals.lastDurationMs = result.durationMs;
}

/** Empty totals. */
export function emptyTotals(): PeerTotals {
  return { syncs: 0, failures: 0, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: 0, lastDurationMs: 0 };
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

type Sample = readonly [labels: string, value: number];

function family(lines: string[], name: string, type: 'gauge' | 'counter', help: string, samples: readonly Sample[]): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
}

const COUNTERS: ReadonlyArray<readonly [keyof PeerTotals, string, string]> = [
  ['syncs', 'express_sqlite_sync_peer_syncs_total', 'Syncs with the peer since start.'],
  ['failures', 'express_sqlite_sync_peer_failures_total', 'Failed syncs with the peer since start.'],
  ['rowsPulled', 'express_sqlite_sync_rows_pulled_total', 'Changed rows pulled from the peer and applied here.'],
  ['rowsPushed', 'express_sqlite_sync_rows_pushed_total', 'Changed rows pushed to the peer.'],
  ['filesUp', 'express_sqlite_sync_files_uploaded_total', 'Files sent to the peer.'],
  ['filesDown', 'express_sqlite_sync_files_downloaded_total', 'Files fetched from the peer.'],
  ['filesDeleted', 'express_sqlite_sync_files_deleted_total', 'Files deleted here or there to follow a deletion.'],
  ['dataConflicts', 'express_sqlite_sync_data_conflicts_total', 'Data conflicts recorded while syncing with the peer.'],
  ['fileConflicts', 'express_sqlite_sync_file_conflicts_total', 'Files changed on both sides, kept twice.'],
];

/**
 * The Prometheus text exposition (format 0.0.4) of a server's sync state:
 * gauges for the local seq, conflicts and each peer's health, counters for
 * what moved.
 */
export function formatMetrics(status: SyncStatus, totals: ReadonlyMap<string, PeerTotals>): string {
  const lines: string[] = [];
  family(lines, 'express_sqlite_sync_local_seq', 'gauge', 'Current local change sequence number.', status.seq === undefined ? [] : [['', status.seq]]);
  family(lines, 'express_sqlite_sync_conflicts', 'gauge', 'Data conflicts recorded in _sync_conflicts.', [['', status.conflicts]]);
  const peer = (url: string): string => `{peer="${label(url)}"}`;
  family(lines, 'express_sqlite_sync_peer_up', 'gauge', '1 when the last sync with the peer succeeded.', status.peers.map((p) => [peer(p.url), p.lastError === undefined && p.lastSuccessAt !== undefined ? 1 : 0]));
  family(lines, 'express_sqlite_sync_peer_consecutive_failures', 'gauge', 'Failed syncs in a row.', status.peers.map((p) => [peer(p.url), p.failures]));
  family(
    lines,
    'express_sqlite_sync_peer_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the last successful sync.',
    status.peers.filter((p) => p.lastSuccessAt !== undefined).map((p) => [peer(p.url), Date.parse(p.lastSuccessAt as string) / 1000]),
  );
  family(lines, 'express_sqlite_sync_peer_lag_changes', 'gauge', 'Changes the peer had that were not pulled yet, at the last sync.', status.peers.filter((p) => p.lagChanges !== undefined).map((p) => [peer(p.url), p.lagChanges as number]));
  family(lines, 'express_sqlite_sync_peer_clock_skew_ms', 'gauge', "The peer's clock minus ours, in ms.", status.peers.filter((p) => p.clockSkewMs !== undefined).map((p) => [peer(p.url), p.clockSkewMs as number]));
  family(lines, 'express_sqlite_sync_peer_last_duration_seconds', 'gauge', 'Duration of the last sync.', [...totals].map(([url, t]) => [peer(url), t.lastDurationMs / 1000]));
  for (const [key, name, help] of COUNTERS) family(lines, name, 'counter', help, [...totals].map(([url, t]) => [peer(url), t[key]]));
  lines.push(...formatTransportMetrics(status.transports));
  return `${lines.join('\n')}\n`;
}
