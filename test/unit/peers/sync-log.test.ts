import { logSyncResult } from '../../../lib/peers/sync-log';
import type { PeerSyncResult } from '../../../lib/peers/sync-status';
import { captureLog } from '../../helpers/log';

/** A round with something in every list, so every event of the round is logged. */
function result(ok: boolean): PeerSyncResult {
  return {
    peer: 'http://10.0.0.2:5000/api/sync',
    siteId: undefined,
    ok,
    rowsPulled: 1,
    rowsPushed: 2,
    filesUp: 0,
    filesDown: 0,
    filesDeleted: 0,
    dataConflicts: 1,
    fileConflicts: [{ path: 'config/event.json', copyPath: 'config/event.sync-conflict-20260101-000000-ABCDEF0.json' }],
    durationMs: 12,
    fileErrors: [{ path: 'uploads/a.txt', code: 'LOCAL_CHANGED', message: 'changed meanwhile' }],
    fileErrorCount: 1,
    heldDeletions: [],
    error: ok ? undefined : { code: 'ECONNREFUSED', message: 'unreachable' },
  };
}

describe('sync log lines keep stable field names (docs/API.md, "Logs")', () => {
  it.each([true, false])('a peer without a name (no SYNC_NAME there) is logged with peerName null, not without the field (ok: %p)', (ok) => {
    const log = captureLog();
    logSyncResult(log.logger, result(ok), undefined, { failures: ok ? 0 : 1, nextRunAt: undefined });
    const lines = log.lines();
    expect(lines.map((line) => line.event)).toEqual([ok ? 'sync.round' : 'sync.failed', 'sync.conflicts', 'files.conflict', 'files.error']);
    for (const line of lines) expect(line).toHaveProperty('peerName', null);
  });

  it('a named peer is logged with its name', () => {
    const log = captureLog();
    logSyncResult(log.logger, result(true), 'pit laptop', { failures: 0, nextRunAt: undefined });
    for (const line of log.lines()) expect(line).toHaveProperty('peerName', 'pit laptop');
  });
});
