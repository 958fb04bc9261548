import { formatStatus } from '../../bin/commands/status';
import { formatResult } from '../../bin/commands/sync';
import type { PeerSyncResult } from '../../index';

const PEER = 'http://10.0.0.3:5000/api/sync';
const held = (side: 'here' | 'there') => ({ peer: PEER, root: 'uploads', side, count: 3, files: 4, percent: 75, maxDeletePercent: 50, examples: ['uploads/a.jpg'], heldAt: '2026-12-02T06:00:00.000Z' });

function result(heldDeletions: PeerSyncResult['heldDeletions']): PeerSyncResult {
  return { peer: PEER, siteId: undefined, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 12, error: undefined, fileErrors: [], fileErrorCount: 0, heldDeletions };
}

// Found by helper af4: `express-sqlite-sync sync` printed "! HELD: 3 deletion(s) of 4 file(s) in uploads kept;
// if intended: express-sqlite-sync confirm-deletions …", without saying on which server the files would go:
// the operator asked to confirm could not tell whether this laptop or the peer would lose 3 of its 4 photos
// (`status`, the log and the status page say it). It now says so, as `status` does.
describe('af4: the HELD line of sync names the server that would lose the files', () => {
  it.each([
    ['here', 'on this server'],
    ['there', `on ${PEER}`],
  ] as const)('side %s: "%s", with the count, the share and the command', (side, where) => {
    const text = formatResult(result([held(side)]), 'http://10.0.0.2:5000');
    expect(text.split('\n')[1]).toBe(
      `  ! HELD: syncing uploads would delete 3 of 4 files ${where} (75%); every file is kept. If that is intended: npx express-sqlite-sync confirm-deletions --url http://10.0.0.2:5000 --peer ${PEER} --root uploads`,
    );
  });

  it('both sides of one root held: each side named, one command after the last (one confirmation takes both)', () => {
    const lines = formatResult(result([held('here'), held('there')]), 'http://10.0.0.2:5000').split('\n');
    expect(lines[1]).toBe('  ! HELD: syncing uploads would delete 3 of 4 files on this server (75%); every file is kept.');
    expect(lines[2]).toMatch(/^ {2}! HELD: syncing uploads would delete 3 of 4 files on http:\/\/10\.0\.0\.3:5000\/api\/sync \(75%\); every file is kept\. If both are intended \(one confirmation takes both sides\): npx express-sqlite-sync confirm-deletions /);
  });

  it('says the same as status for the same hold', () => {
    const status = formatStatus({ site: 'a1', seq: 0, conflicts: 0, peers: [], heldDeletions: [held('here')] } as unknown as Parameters<typeof formatStatus>[0], 'http://10.0.0.2:5000');
    expect(status).toContain('would delete 3 of 4 files on this server (75%); every file is kept.');
  });
});
