import { SyncError } from '../sync-error';
import { describeNotWritable } from './atomic-file';
import { resolveSyncPathOrDatabaseName } from './database-refusal';
import type { FilePolicy } from './file-policy';
import type { ResolvedSyncPath } from './safe-path';

/**
 * Resolves the target of a write (an upload, a deletion) as
 * `resolveSyncPathOrDatabaseName` does, except that a folder on the way this
 * server may not enter (`EACCES`, `EPERM`: mode 000, another user's) is the
 * refusal of the write, 507 `STORAGE_NOT_WRITABLE`, as a read-only folder
 * is: the same fix under one code, which a peer's round counts as a failure.
 * A read of such a path stays 403 `FILE_UNREADABLE`.
 * @param what - `written` for an upload, `deleted` for a deletion (the message's words)
 * @throws SyncError as `resolveSyncPathOrDatabaseName` does, but `STORAGE_NOT_WRITABLE` (507) for `FILE_UNREADABLE`
 */
export async function resolveWriteTarget(roots: ReadonlyMap<string, string>, policy: FilePolicy, input: unknown, what: 'written' | 'deleted'): Promise<ResolvedSyncPath> {
  try {
    return await resolveSyncPathOrDatabaseName(roots, policy, input, true);
  } catch (error) {
    if (!(error instanceof SyncError) || error.code !== 'FILE_UNREADABLE' || typeof input !== 'string') throw error;
    const cause = error.cause ?? Object.assign(new Error('EACCES'), { code: 'EACCES' });
    throw describeNotWritable(cause, input, what);
  }
}
