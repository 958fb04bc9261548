import { dataWentThrough } from '../../../lib/peers/round-result';
import type { PeerSyncResult } from '../../../lib/peers/sync-status';

function round(ok: boolean, code?: string): PeerSyncResult {
  return {
    peer: 'http://127.0.0.1:1/api/sync',
    siteId: undefined,
    ok,
    rowsPulled: 3,
    rowsPushed: 0,
    filesUp: 0,
    filesDown: 0,
    filesDeleted: 0,
    dataConflicts: 0,
    fileConflicts: [],
    durationMs: 1,
    error: code === undefined ? undefined : { code, message: 'x', phase: 'files' },
  } as unknown as PeerSyncResult;
}

describe('dataWentThrough: a NATS catch-up counts a round whose only failure was the files', () => {
  it.each([
    [round(true), true],
    [round(false, 'EACCES'), true],
    [round(false, 'INSUFFICIENT_STORAGE'), true],
    [round(false, 'PEER_UNREACHABLE'), false],
    [round(false, 'SCHEMA_MISMATCH'), false],
    [undefined, false],
  ])('%#', (result, expected) => {
    expect(dataWentThrough(result)).toBe(expected);
  });
});
