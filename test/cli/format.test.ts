import { formatStatus } from '../../bin/commands/status';
import { formatResult } from '../../bin/commands/sync';
import type { PeerSyncResult } from '../../index';

const HELD = { peer: 'http://10.0.0.3:5000/api/sync', root: 'uploads', side: 'here' as const, count: 40, files: 41, percent: 97.6, maxDeletePercent: 50, examples: ['a.jpg'], heldAt: '2026-12-02T06:00:00.000Z' };

function result(overrides: Partial<PeerSyncResult>): PeerSyncResult {
  return { peer: HELD.peer, siteId: undefined, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 12, error: undefined, fileErrors: [], heldDeletions: [], ...overrides };
}

describe('what the CLI prints', () => {
  it('sync marks a peer whose deletions were held, with the way out', () => {
    expect(formatResult(result({}))).not.toContain('HELD');
    expect(formatResult(result({ heldDeletions: [HELD] }))).toMatch(/^✔ .*\n {2}! HELD: 40 deletion\(s\) of 41 file\(s\) in uploads kept; .*confirm-deletions/);
  });

  it('status names the server it was asked in the confirm-deletions hint', () => {
    const text = formatStatus({ site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [], heldDeletions: [HELD] } as unknown as Parameters<typeof formatStatus>[0], 'http://10.0.0.2:5000/api/sync');
    expect(text).toContain('express-sqlite-sync confirm-deletions --url http://10.0.0.2:5000/api/sync --peer http://10.0.0.3:5000/api/sync --root uploads');
  });
});
