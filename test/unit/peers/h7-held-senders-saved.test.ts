import { SyncError } from '../../../lib/sync-error';
import { HeldSenders } from '../../../lib/peers/nats/held-senders';
import { trackedDb } from '../../helpers/data';

/**
 * What a held sender's hold keeps for `/status` after a restart (`!<subject>=<seq>.<code>` in
 * `nats:<stream>:held`), read back by a new start, and passed over by the parsing of an earlier
 * version (which would otherwise take it for a held subject).
 */
describe('HeldSenders: the message a sender waits at and why, kept with the hold', () => {
  const A = `ess.S.${'a'.repeat(32)}`;
  const B = `ess.S.${'b'.repeat(32)}`;

  /** How an earlier version read the saved holds (subject → place). */
  function earlierRead(value: string): Map<string, number> {
    const after = new Map<string, number>();
    for (const entry of value.split(' ')) {
      const at = entry.lastIndexOf('=');
      const seq = Number(entry.slice(at + 1));
      if (at > 0 && Number.isSafeInteger(seq) && seq >= 0) after.set(entry.slice(0, at), seq);
    }
    return after;
  }

  it('is read back after a restart, is passed over by an earlier version, and goes with the hold', () => {
    const temp = trackedDb();
    try {
      const holds = new HeldSenders(temp.tracker, 'S');
      holds.hold(A, 3, new SyncError('CLOCK_SKEW', 409, 'stream message 3 (A) waits: clock ahead'), 5);
      holds.hold(B, 4, new SyncError('APPLY_REFUSED', 409, 'stream message 4 (B) waits: trigger'), 5);
      holds.hold(A, 3, new SyncError('SCHEMA_MISMATCH', 409, 'stream message 3 (A) waits: schema'), 5); // another reason at the same message: kept
      const saved = temp.tracker.transportCursor('nats:S:held') ?? '';
      expect([...earlierRead(saved)]).toEqual([[A, 2], [B, 3]]);

      const again = new HeldSenders(temp.tracker, 'S');
      expect(again.report()).toEqual([
        { subject: A, site: 'a'.repeat(32), seq: 3, after: 2, code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/^stream message 3 \(ess\.S\.a+\) waits.*SCHEMA_MISMATCH, as its last try before this server started said/) },
        { subject: B, site: 'b'.repeat(32), seq: 4, after: 3, code: 'APPLY_REFUSED', message: expect.stringContaining('before this server started') },
      ]);
      again.release([A]);
      expect(new HeldSenders(temp.tracker, 'S').report()).toEqual([expect.objectContaining({ subject: B, code: 'APPLY_REFUSED' })]);
      again.release();
      expect(new HeldSenders(temp.tracker, 'S').report()).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });

  it('a hold an earlier version kept (no reason saved): listed with seq and code null, saying why is told at its next try', () => {
    const temp = trackedDb();
    try {
      temp.tracker.saveTransportCursor('nats:S:held', `@9 ${A}=6`);
      expect(new HeldSenders(temp.tracker, 'S').report()).toEqual([{ subject: A, site: 'a'.repeat(32), seq: null, after: 6, code: null, message: expect.stringMatching(/after stream message 6 wait .*next try/) }]);
    } finally {
      temp.cleanup();
    }
  });
});
