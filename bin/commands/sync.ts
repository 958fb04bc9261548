import { createInterface } from 'node:readline';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { PeerSyncResult, SyncProgress } from '../../lib/peers/sync-status';
import { readPeerError } from '../../lib/peers/peer-http';
import { printableLines, remoteServer, type RemoteOptions } from './remote';

type RunLine = { readonly type: 'progress'; readonly progress: SyncProgress } | { readonly type: 'results'; readonly results: readonly PeerSyncResult[] };

/** Formats one peer's result as a line. */
export function formatResult(result: PeerSyncResult): string {
  const counts = `rows ↓${result.rowsPulled} ↑${result.rowsPushed}   files ↓${result.filesDown} ↑${result.filesUp} ✗${result.filesDeleted}   conflicts ${result.dataConflicts + result.fileConflicts.length}   ${Math.round(result.durationMs)} ms`;
  if (!result.ok) return `✘ ${result.peer}   ${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`;
  // A root whose deletions the mass-delete guard held was left as it was: say so, with the way out.
  const held = (result.heldDeletions ?? []).map((entry) => `\n  ! HELD: ${entry.count} deletion(s) of ${entry.files} file(s) in ${entry.root} kept; see \`express-sqlite-sync status\`, then confirm-deletions if intended`);
  return `✔ ${result.peer}   ${counts}${held.join('')}`;
}

/** `sync`: asks a server to sync with its peers now, showing progress, and prints the results. */
export async function syncCommand(options: RemoteOptions & { readonly json?: boolean }): Promise<void> {
  const server = remoteServer(options);
  const bars = new MultiBar({ format: ' {bar} {peer} {phase} {value}/{total}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  const byPeer = new Map<string, SingleBar>();
  let results: readonly PeerSyncResult[] = [];
  try {
    const response = await server.request('POST', 'run', { stream: 'ndjson' });
    if (response.status >= 400) throw await readPeerError(response, 'sync');
    for await (const text of createInterface({ input: response.body })) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as RunLine;
      if (line.type === 'results') results = line.results;
      else showProgress(bars, byPeer, line.progress);
    }
  } finally {
    bars.stop();
    server.close();
  }
  process.stdout.write(`${options.json === true ? JSON.stringify(results, null, 2) : printableLines(results.map(formatResult).join('\n'))}\n`);
  if (results.some((result) => !result.ok)) process.exitCode = 2;
}

function showProgress(bars: MultiBar, byPeer: Map<string, SingleBar>, progress: SyncProgress): void {
  const total = progress.total ?? Math.max(progress.done, 1);
  let bar = byPeer.get(progress.peer);
  if (bar === undefined) {
    bar = bars.create(total, progress.done, { peer: progress.peer, phase: progress.phase });
    byPeer.set(progress.peer, bar);
  }
  bar.setTotal(total);
  bar.update(progress.done, { phase: progress.phase });
}
