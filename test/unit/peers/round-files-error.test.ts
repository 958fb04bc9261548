import { dataWentThrough, noteFilesError, summarizeRound, type RoundTally } from '../../../lib/peers/round-result';

const PEER = 'http://10.0.0.2:5000/api/sync';
const UNREADABLE = { code: 'FILE_UNREADABLE', message: 'uploads/locked.jpg: this server may not read it' };
const GONE = { code: 'ECONNRESET', message: 'the connection was reset' };

function tally(): RoundTally {
  return { phase: 'files', rowsPulled: 1, rowsPushed: 0, dataConflicts: 0, roots: [], filesError: undefined };
}

/**
 * A round whose first root's listing was refused (403 FILE_UNREADABLE, a storage failure: the
 * data went through, so no backoff) and whose next root then found the peer gone must be the
 * peer's failure: it used to keep the first root's code, so a peer that died mid-round was
 * `failing` with FILE_UNREADABLE instead of `unreachable`, and the scheduler did not back off.
 */
describe('the file error a round keeps', () => {
  it('is the first root failed as a whole', () => {
    const kept = tally();
    noteFilesError(kept, UNREADABLE, false);
    noteFilesError(kept, { code: 'STORAGE_NOT_WRITABLE', message: 'x' }, false);
    expect(kept.filesError).toEqual(UNREADABLE);
    expect(dataWentThrough(summarizeRound(PEER, undefined, kept, 1, undefined))).toBe(true);
  });

  it('is a later root that found the peer gone, whatever failed before it', () => {
    const kept = tally();
    noteFilesError(kept, UNREADABLE, false);
    noteFilesError(kept, GONE, true);
    expect(kept.filesError).toEqual(GONE);
    const result = summarizeRound(PEER, undefined, kept, 1, undefined);
    expect(result.error?.code).toBe('ECONNRESET');
    expect(dataWentThrough(result)).toBe(false);
  });
});

describe('the file error a round keeps, after a lasting file failure', () => {
  it("is a later root's answer from a proxy whose backend died (PEER_BAD_ANSWER): the round backs off", () => {
    const kept = tally();
    noteFilesError(kept, { code: 'PEER_LISTED_DATABASE', message: 'x' }, false);
    noteFilesError(kept, { code: 'PEER_BAD_ANSWER', message: 'a 502 page' }, false);
    expect(kept.filesError?.code).toBe('PEER_BAD_ANSWER');
    expect(dataWentThrough(summarizeRound(PEER, undefined, kept, 1, undefined))).toBe(false);
  });

  it('stays the first peer failure when another follows it', () => {
    const kept = tally();
    noteFilesError(kept, { code: 'PEER_BAD_ANSWER', message: 'a 502 page' }, false);
    noteFilesError(kept, UNREADABLE, false);
    expect(kept.filesError?.code).toBe('PEER_BAD_ANSWER');
  });
});
