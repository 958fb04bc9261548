import type { NameCounts } from '../files/name-report';
import type { PeerStatus, PeerSyncResult, SyncStatus } from './sync-status';
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

/** Refusals since start, per status and code (see `RefusalLog.counts`). */
export type RefusalCounts = ReadonlyArray<{ readonly status: number; readonly code: string; readonly count: number }>;

function peerGauges(lines: string[], status: SyncStatus): void {
  const peer = (url: string): string => `{peer="${label(url)}"}`;
  const known = <T>(pick: (p: PeerStatus) => T | null): Array<readonly [PeerStatus, T]> =>
    status.peers.flatMap((p) => {
      const value = pick(p);
      return value === null ? [] : [[p, value] as const];
    });
  family(lines, 'express_sqlite_sync_peer_info', 'gauge', "The peer's name and state (always 1).", status.peers.map((p) => [`{peer="${label(p.url)}",name="${label(p.name ?? '')}",state="${p.state}"}`, 1]));
  family(lines, 'express_sqlite_sync_peer_up', 'gauge', '1 when the last sync with the peer succeeded.', status.peers.map((p) => [peer(p.url), p.lastError === null && p.lastSuccessAt !== null ? 1 : 0]));
  family(lines, 'express_sqlite_sync_peer_consecutive_failures', 'gauge', 'Failed syncs in a row.', status.peers.map((p) => [peer(p.url), p.failures]));
  family(lines, 'express_sqlite_sync_peer_last_success_timestamp_seconds', 'gauge', 'Unix time of the last successful sync.', known((p) => p.lastSuccessAt).map(([p, at]) => [peer(p.url), Date.parse(at) / 1000]));
  family(lines, 'express_sqlite_sync_peer_next_attempt_timestamp_seconds', 'gauge', 'Unix time of the next periodic sync or retry.', known((p) => p.nextRunAt).map(([p, at]) => [peer(p.url), Date.parse(at) / 1000]));
  family(lines, 'express_sqlite_sync_peer_backing_off', 'gauge', '1 when the next attempt is a backoff retry, 0 when it comes at the interval (backingOff on /status).', status.peers.map((p) => [peer(p.url), p.backingOff ? 1 : 0]));
  family(lines, 'express_sqlite_sync_peer_lag_changes', 'gauge', 'Changes not yet received from the peer, at the last contact.', known((p) => p.lagChanges).map(([p, n]) => [peer(p.url), n]));
  family(lines, 'express_sqlite_sync_peer_undelivered_changes', 'gauge', 'Changes of this server not yet delivered to the peer.', known((p) => p.undeliveredChanges).map(([p, n]) => [peer(p.url), n]));
  family(lines, 'express_sqlite_sync_peer_clock_skew_ms', 'gauge', "The peer's clock minus ours, in ms.", known((p) => p.clockSkewMs).map(([p, n]) => [peer(p.url), n]));
  family(lines, 'express_sqlite_sync_peer_held_deletions', 'gauge', 'Files the mass-delete guard keeps from being deleted until an operator confirms.', status.peers.map((p) => [peer(p.url), p.heldDeletions.reduce((sum, held) => sum + held.count, 0)]));
}

/**
 * The Prometheus text exposition (format 0.0.4) of a server's sync state:
 * gauges for the local seq, conflicts and each peer's health (the same
 * figures as `GET /status`), counters for what moved and what was refused.
 */
export function formatMetrics(status: SyncStatus, totals: ReadonlyMap<string, PeerTotals>, refusals: RefusalCounts = []): string {
  const lines: string[] = [];
  family(lines, 'express_sqlite_sync_local_seq', 'gauge', 'Current local change sequence number.', status.seq === null ? [] : [['', status.seq]]);
  family(lines, 'express_sqlite_sync_conflicts', 'gauge', 'Rows parked as data conflicts now (GET /data/conflicts lists them).', [['', status.conflicts]]);
  peerGauges(lines, status);
  const peer = (url: string): string => `{peer="${label(url)}"}`;
  family(lines, 'express_sqlite_sync_peer_last_duration_seconds', 'gauge', 'Duration of the last sync.', [...totals].map(([url, t]) => [peer(url), t.lastDurationMs / 1000]));
  for (const [key, name, help] of COUNTERS) family(lines, name, 'counter', help, [...totals].map(([url, t]) => [peer(url), t[key]]));
  family(lines, 'express_sqlite_sync_refusals_total', 'counter', 'Requests this server refused, by status and code.', refusals.map((r) => [`{status="${r.status}",code="${label(r.code)}"}`, r.count]));
  lines.push(...formatTransportMetrics(status.transports));
  return `${lines.join('\n')}\n`;
}

/**
 * Gauges of the file names to fix, per root scanned whole (0 once fixed): names left out of
 * sync because they cannot travel, groups of paths that differ only in letter case, and
 * conflict copies waiting for a choice.
 */
export function formatNameMetrics(counts: readonly NameCounts[]): string {
  const lines: string[] = [];
  const root = (name: string): string => `{root="${label(name)}"}`;
  family(lines, 'express_sqlite_sync_files_unsyncable_names', 'gauge', 'Files and folders left out of sync because their names cannot travel (GET /status fileNameProblems).', counts.map((c) => [root(c.root), c.unsyncable]));
  family(lines, 'express_sqlite_sync_files_case_clashes', 'gauge', 'Groups of paths that differ only in letter case (a case-insensitive disk holds one of each).', counts.map((c) => [root(c.root), c.caseClashes]));
  family(lines, 'express_sqlite_sync_file_conflict_copies', 'gauge', 'Conflict copies on disk: files changed on two servers, both versions kept until one is deleted (GET /status fileConflictCopies).', counts.map((c) => [root(c.root), c.conflictCopies]));
  return `${lines.join('\n')}\n`;
}
