import type { Static } from '@sinclair/typebox';
import { syncStatusCheck, type SyncStatusSchema } from '../../lib/peers/status-schema';
import { remoteServer, type RemoteOptions } from './remote';

function ago(iso: string | undefined): string {
  if (iso === undefined) return 'never';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)} min ago`;
}

/** Formats a status answer for a terminal. */
export function formatStatus(status: Static<typeof SyncStatusSchema>): string {
  const lines = [`site ${status.site ?? '(no data sync)'}   seq ${status.seq ?? '-'}   conflicts ${status.conflicts}`];
  if (status.peers.length === 0) lines.push('no peers configured (SYNC_PEERS)');
  for (const peer of status.peers) {
    const state = peer.running ? 'syncing' : peer.lastError === undefined ? 'ok' : `failing (${peer.failures}×): ${peer.lastError}`;
    const lag = peer.lagChanges === undefined ? '' : `   lag ${peer.lagChanges} changes`;
    const skew = peer.clockSkewMs === undefined ? '' : `   clock skew ${peer.clockSkewMs} ms`;
    lines.push(`- ${peer.url}   last success ${ago(peer.lastSuccessAt)}   ${state}${lag}${skew}`);
  }
  return lines.join('\n');
}

/** `status`: prints a server's sync status. */
export async function statusCommand(options: RemoteOptions & { readonly json?: boolean }): Promise<void> {
  const server = remoteServer(options);
  try {
    const status = await server.json('GET', 'status', syncStatusCheck);
    process.stdout.write(`${options.json === true ? JSON.stringify(status, null, 2) : formatStatus(status)}\n`);
  } finally {
    server.close();
  }
}
