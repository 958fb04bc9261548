import { snapshotFailure, workerError } from '../../../lib/data/snapshot-failure';

describe('snapshotFailure', () => {
  it.each(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EACCES', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_DIRECTORY'])('is 507 for a write the temp folder refused (%s)', (code) => {
    const failure = snapshotFailure(workerError('no room', code));
    expect([failure.code, failure.status]).toEqual(['SNAPSHOT_FAILED', 507]);
    expect(failure.message).toContain(code);
  });

  it('tells no room from a file it may not open or write', () => {
    expect(snapshotFailure(workerError('x', 'ENOSPC')).message).toMatch(/temp folder refused the write .*free space/);
    expect(snapshotFailure(workerError('x', 'SQLITE_CANTOPEN')).message).toMatch(/may not open or write a file it needs .*permissions/);
  });

  it.each(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED'])('is 503 for a database locked past the busy timeout (%s)', (code) => {
    expect([snapshotFailure(workerError('locked', code)).status, snapshotFailure(workerError('locked', code)).code]).toEqual([503, 'SNAPSHOT_FAILED']);
  });

  it('is 500 for anything else, the cause kept for the log and not in the message', () => {
    const cause = workerError('database disk image is malformed', 'SQLITE_CORRUPT');
    const failure = snapshotFailure(cause);
    expect([failure.code, failure.status, failure.cause]).toEqual(['SNAPSHOT_FAILED', 500, cause]);
    expect(failure.message).not.toContain('malformed');
    expect(snapshotFailure(new Error('worker exited')).status).toBe(500);
    expect(snapshotFailure('a string').status).toBe(500);
  });

  it('workerError keeps the code a worker posted, and only then', () => {
    expect((workerError('x', 'ENOSPC') as Error & { code?: string }).code).toBe('ENOSPC');
    expect('code' in workerError(undefined, undefined)).toBe(false);
    expect(workerError(undefined, undefined).message).toBe('the snapshot worker failed');
  });
});
