import { randomUUID } from 'node:crypto';
import { changeCount, type AnyChangeset } from '../../../lib/data/change-tracker';
import { enableCapture } from '../../../lib/data/capture';
import { PeerAnswerError } from '../../../lib/peers/peer-answer';
import { olderPeerHint } from '../../../lib/peers/older-peer-hint';
import { SyncError } from '../../../lib/sync-error';
import { tempDb } from '../../helpers/data';

const URL = 'http://127.0.0.1:9/api/sync/';

describe('the hint for a peer of an older version refusing a REAL ±Infinity', () => {
  const data = tempDb('CREATE TABLE readings (id TEXT PRIMARY KEY NOT NULL, value REAL)');
  const tracker = enableCapture(data.db, { tables: ['readings'] });
  afterAll(() => data.cleanup());

  function pageOf(value: number): AnyChangeset {
    const seq = tracker.info().seq;
    data.db.prepare('INSERT INTO readings (id, value) VALUES (?, ?)').run(randomUUID(), value);
    const page = tracker.readChanges(seq, 10);
    expect(changeCount(page)).toBe(1);
    return page;
  }

  it.each([Infinity, -Infinity])('adds the upgrade hint to a 400 INVALID_CHANGESET or INVALID_VALUE for a page holding %s', (value) => {
    const page = pageOf(value);
    for (const code of ['INVALID_CHANGESET', 'INVALID_VALUE']) {
      const refused = new PeerAnswerError(code, 400, 'POST data/changes: the changeset does not match the protocol schema (/changes/0/cells/value: must be string)');
      const hinted = olderPeerHint(refused, page, URL);
      expect(hinted).toBeInstanceOf(PeerAnswerError);
      expect(hinted).toMatchObject({ code, status: 400 });
      expect(hinted?.message).toContain(refused.message);
      expect(hinted?.message).toContain("upgrade http://127.0.0.1:9/api/sync to this server's version");
    }
  });

  it('leaves any other error, status or page as it is', () => {
    const infinite = pageOf(Infinity);
    const finite = pageOf(1.5);
    const refused = new PeerAnswerError('INVALID_CHANGESET', 400, 'refused');
    expect(olderPeerHint(refused, finite, URL)).toBeUndefined();
    expect(olderPeerHint(new PeerAnswerError('SCHEMA_MISMATCH', 409, 'differs'), infinite, URL)).toBeUndefined();
    expect(olderPeerHint(new SyncError('INVALID_VALUE', 500, 'odd'), infinite, URL)).toBeUndefined();
    expect(olderPeerHint(new Error('socket hang up'), infinite, URL)).toBeUndefined();
  });
});
