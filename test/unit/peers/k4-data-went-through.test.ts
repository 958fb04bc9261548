import type { RootSyncResult } from '../../../lib/peers/file-exchange';
import { dataWentThrough, summarizeRound, type RoundTally } from '../../../lib/peers/round-result';

const PEER = 'http://10.0.0.2:5000/api/sync';

function tally(roots: RootSyncResult[] = []): RoundTally {
  return { phase: 'files', rowsPulled: 2, rowsPushed: 1, dataConflicts: 0, roots, filesError: undefined };
}

function root(errors: RootSyncResult['errors']): RootSyncResult {
  return { root: 'uploads', uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, conflicts: [], errors, skipped: false, held: [] };
}

/**
 * Whether a round's data went through is told by where its failure came from, not by its code alone: a
 * push the peer's full database refused (507 INSUFFICIENT_STORAGE, a data failure) was taken for a round
 * whose files lacked room, so a NATS catch-up counted it and the scheduler would not back off. A root whose
 * listing the peer refused because it may not read a file there (403 FILE_UNREADABLE) is the files' failure,
 * as a 507 on an upload is.
 */
describe('dataWentThrough reads where the round failed', () => {
  it.each([
    ['a push the peer could not store (a data failure with a storage code)', summarizeRound(PEER, undefined, tally(), 1, { code: 'INSUFFICIENT_STORAGE', message: 'full' }), false],
    ['the same code on an upload (a file step)', summarizeRound(PEER, undefined, tally([root([{ path: 'uploads/a.jpg', code: 'INSUFFICIENT_STORAGE', message: 'full' }])]), 1, undefined), true],
    ['a listing refused: a file there the peer may not read', summarizeRound(PEER, undefined, { ...tally([root([{ path: 'uploads', code: 'FILE_UNREADABLE', message: 'x' }])]), filesError: { code: 'FILE_UNREADABLE', message: 'x' } }, 1, undefined), true],
    ['a download refused: a file the peer may not read', summarizeRound(PEER, undefined, tally([root([{ path: 'uploads/a.jpg', code: 'FILE_UNREADABLE', message: 'x' }])]), 1, undefined), true],
    ['the file part thrown by this server (EACCES)', summarizeRound(PEER, undefined, tally(), 1, undefined, { code: 'EACCES', message: 'x' }), true],
    ['the peer gone during the files', summarizeRound(PEER, undefined, { ...tally(), filesError: { code: 'ECONNRESET', message: 'x' } }, 1, undefined), false],
    ['a data failure', summarizeRound(PEER, undefined, tally(), 1, { code: 'SCHEMA_MISMATCH', message: 'x' }), false],
  ])('%s', (_case, result, expected) => {
    expect(dataWentThrough(result)).toBe(expected);
    expect(result.ok).toBe(false);
  });
});
