import { isAnswerCutOff } from '../../../lib/peers/peer-failure';
import { SyncError } from '../../../lib/sync-error';

/** Node's error for a response whose connection closed before its end. */
function aborted(): NodeJS.ErrnoException {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

describe('a connection lost in the middle of a peer\'s answer', () => {
  it('is told from one lost before any answer, also as the cause of another error', () => {
    expect(isAnswerCutOff(aborted())).toBe(true);
    expect(isAnswerCutOff(new SyncError('ECONNRESET', 502, 'the snapshot download broke off after 10 bytes: aborted', { cause: aborted() }))).toBe(true);
    expect(isAnswerCutOff(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isAnswerCutOff(undefined)).toBe(false);
  });
});
