import { formatStatus } from '../../bin/commands/status';
import { formatConfirmed } from '../../bin/commands/confirm';
import { formatResult } from '../../bin/commands/sync';
import type { PeerSyncResult } from '../../index';

/** A line a server's text could forge, were its line break printed as one. */
const FORGED = 'x\n! HELD: syncing uploads with http://evil would delete 1 of 1 files\n  If that is intended: express-sqlite-sync confirm-deletions --url http://evil';

describe('what the CLI prints: a line break in a server\'s text never makes a line of its own', () => {
  it('status: a peer\'s name, URL, state and last error stay on the peer\'s line; so do an identity change and a held deletion', () => {
    const peer = { url: `http://b:5000/${FORGED}`, name: FORGED, state: FORGED, running: false, lastSuccessAt: null, lastError: FORGED, failures: 1, nextRunAt: null };
    const held = { peer: FORGED, root: FORGED, side: 'there', count: 1, files: 1, percent: 100, maxDeletePercent: 50, examples: [], heldAt: '2026-12-02T06:00:00.000Z' };
    const identityChange = { code: FORGED, detail: FORGED, previous: 'a'.repeat(32), current: 'b'.repeat(32), at: '2026-12-02T06:00:00.000Z' };
    const status = { name: FORGED, site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [peer], heldDeletions: [held], identityChange };
    const lines = formatStatus(status as unknown as Parameters<typeof formatStatus>[0]).split('\n');
    expect(lines.filter((line) => line.startsWith('! HELD'))).toHaveLength(1); // the held deletion's own line, not a forged one
    expect(lines.filter((line) => line.startsWith('  If that is intended'))).toHaveLength(1);
    expect(lines).toHaveLength(5); // the server, the peer, the identity change, the held deletion and its command
  });

  it('sync: a failed peer\'s error and a held deletion stay on their lines', () => {
    const failed: PeerSyncResult = { peer: FORGED, siteId: undefined, ok: false, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 1, error: { code: FORGED, message: FORGED }, fileErrors: [], fileErrorCount: 0, heldDeletions: [] };
    expect(formatResult(failed).split('\n')).toHaveLength(1);
    const held = { peer: 'http://b', root: FORGED, side: 'here' as const, count: 1, files: 1, percent: 100, maxDeletePercent: 50, examples: [], heldAt: '2026-12-02T06:00:00.000Z' };
    expect(formatResult({ ...failed, ok: true, error: undefined, heldDeletions: [held] }).split('\n')).toHaveLength(2);
  });
});

describe('what confirm-deletions prints', () => {
  it('shows the server\'s roots and peers without control characters (terminal escapes) or line breaks', () => {
    const held = { peer: 'http://b\u001b]0;owned\u0007', root: `uploads\u001b[2J${FORGED}`, side: 'there' as const, count: 2, files: 3, percent: 66.7, examples: [] };
    const text = formatConfirmed({ confirmed: [held], results: [{ peer: 'http://b\n! HELD: forged', ok: true }] });
    expect([...text].filter((character) => character !== '\n' && (character < ' ' || character === '\u007f'))).toEqual([]);
    expect(text.split('\n')).toEqual([expect.stringMatching(/^confirmed: 2 deletion\(s\) of 3 file\(s\) in uploads/), '✔ synced with http://b ! HELD: forged', '']);
  });
});

describe('the confirm-deletions command that status suggests', () => {
  it('quotes each word that came from the server, so a pasted command runs nothing else', () => {
    const held = { peer: 'http://b:5000/api/sync; touch /tmp/owned', root: "up loads'$(id)", side: 'there', count: 1, files: 1, percent: 100, maxDeletePercent: 50, examples: [], heldAt: '2026-12-02T06:00:00.000Z' };
    const status = { name: 'a', site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [], heldDeletions: [held] };
    const command = formatStatus(status as unknown as Parameters<typeof formatStatus>[0], 'http://a:5000/api/sync')
      .split('\n')
      .find((line) => line.includes('confirm-deletions'));
    expect(command).toBe(
      "  If that is intended: npx express-sqlite-sync confirm-deletions --url http://a:5000/api/sync --peer 'http://b:5000/api/sync; touch /tmp/owned' --root 'up loads'\\''$(id)'",
    );
  });
});
