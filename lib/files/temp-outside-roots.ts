import os from 'node:os';
import path from 'node:path';
import { SyncError } from '../sync-error';
import { syncRootHolding } from './root-holding';

/**
 * The folder a snapshot's private temp folder goes in: the OS temp folder
 * (`TMPDIR`), unless it lies inside a sync root, where a snapshot (a copy of
 * every synced row, or one being downloaded) would sit in a folder that
 * syncs; then `fallback` (the state folder, `stateDir`, which is kept outside
 * every root), when there is one outside every root. Read at each snapshot,
 * as `TMPDIR` is.
 * @param roots - the sync roots, by their real paths (`resolveSyncRoots`)
 * @param fallback - where to go instead, if anywhere
 * @throws SyncError `SNAPSHOT_FAILED` (507) when `TMPDIR` is inside a root and there is no `fallback` outside every root, naming the root and the fix
 */
export function tempParentOutsideRoots(roots: ReadonlyMap<string, string>, fallback: string | undefined): string {
  const temp = os.tmpdir();
  const holding = syncRootHolding(roots, temp);
  if (holding === undefined) return temp;
  if (fallback !== undefined && syncRootHolding(roots, fallback) === undefined) return path.resolve(fallback);
  const [name, directory] = holding;
  throw new SyncError(
    'SNAPSHOT_FAILED',
    507,
    `the snapshot could not be built: this server's temp folder ${temp} (TMPDIR) is inside the sync root "${name}" (${directory}), where a snapshot, a copy of every synced row, would sit in a folder that syncs; ` +
      'its operator must point TMPDIR at a folder outside every sync root (or give the server a stateDir, where snapshots then go). A server joining by sync (joinBySnapshot) pulls page by page instead',
  );
}
