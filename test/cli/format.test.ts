import { formatStatus } from '../../bin/commands/status';
import { formatResult } from '../../bin/commands/sync';
import type { PeerSyncResult } from '../../index';

const HELD = { peer: 'http://10.0.0.3:5000/api/sync', root: 'uploads', side: 'here' as const, count: 40, files: 41, percent: 97.6, maxDeletePercent: 50, examples: ['a.jpg'], heldAt: '2026-12-02T06:00:00.000Z' };

function result(overrides: Partial<PeerSyncResult>): PeerSyncResult {
  return { peer: HELD.peer, siteId: undefined, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 12, error: undefined, fileErrors: [], fileErrorCount: 0, heldDeletions: [], ...overrides };
}

describe('what the CLI prints', () => {
  it('sync marks a peer whose deletions were held, with the way out', () => {
    expect(formatResult(result({}))).not.toContain('HELD');
    expect(formatResult(result({ heldDeletions: [HELD] }))).toMatch(/^✔ .*\n {2}! HELD: syncing uploads would delete 40 of 41 files on this server \(97\.6%\); every file is kept\. If that is intended: .*confirm-deletions/);
  });

  it('sync lists the files that did not sync (⚠, not ✔) and the conflict copies, bounded', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ path: `uploads/pit/p${i}.jpg`, code: 'PATH_CONFLICT', message: `uploads/pit/p${i}.jpg is a folder here that holds files; move or delete the folder` }));
    const text = formatResult(result({ fileErrors: errors, fileConflicts: [{ path: 'uploads/a.txt', copyPath: 'uploads/a.sync-conflict-x.txt' }] }));
    expect(text).toMatch(/^⚠ /);
    expect(text).toContain('\n  ! FILE NOT SYNCED: uploads/pit/p0.jpg: PATH_CONFLICT: uploads/pit/p0.jpg is a folder here');
    expect(text).toContain('p4.jpg');
    expect(text).not.toContain('p5.jpg');
    expect(text).toContain('… and 2 more');
    expect(text).toContain("conflict: uploads/a.txt changed on both sides; the peer's version kept as uploads/a.sync-conflict-x.txt");
    expect(formatResult(result({}))).toMatch(/^✔ [^\n]*$/);
  });

  it('sync shows a peer\'s file error text without its control characters', () => {
    const text = formatResult(result({ fileErrors: [{ path: 'uploads/x', code: 'EIO', message: 'bad\u001b[2Jthing' }] }));
    expect(text).not.toContain('\u001b');
  });

  it('status says when the server\'s data sync is stopped (dataError), on one line', () => {
    const status = { site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [], dataError: { code: 'SCHEMA_CHANGED', message: 'teams.coach was added\nrestart the server' } };
    const text = formatStatus(status as unknown as Parameters<typeof formatStatus>[0]);
    expect(text).toContain('! DATA SYNC STOPPED: SCHEMA_CHANGED: teams.coach was added');
    expect(text.split('\n').filter((line) => line.includes('restart the server'))).toEqual([expect.stringContaining('DATA SYNC STOPPED')]);
  });

  it('status shows a NATS transport: its state, position, lag, what is not yet published and its error (a clone caught), not "no peers configured"', () => {
    const nats = {
      kind: 'nats', name: 'nats:FLEET', state: 'failing', position: 3, lag: 0,
      lastError: { code: 'SAME_SITE_ID', message: 'another process publishes as this server\'s site\nStop one of them and run `npx express-sqlite-sync new-site-id --db <its database>`' },
      nats: { stream: 'FLEET', unpublished: 1 },
    };
    const http = { kind: 'http', name: HELD.peer, state: 'idle', position: 9, lag: 0 };
    const text = formatStatus({ site: 'a'.repeat(32), seq: 3, conflicts: 0, peers: [], transports: [http, nats] } as unknown as Parameters<typeof formatStatus>[0]);
    expect(text).not.toContain('no peers configured');
    expect(text).toContain('- nats:FLEET   failing   position 3   lag 0   not yet published 1');
    expect(text).toContain('  ! SAME_SITE_ID: another process publishes as this server\'s site Stop one of them and run `npx express-sqlite-sync new-site-id');
    expect(text).not.toContain(HELD.peer); // HTTP peers are listed as peers, not twice
    const idle = formatStatus({ conflicts: 0, peers: [], transports: [http] } as unknown as Parameters<typeof formatStatus>[0]);
    expect(idle).toContain('no peers configured');
  });

  it('status prints nothing for a transport\'s unknown (null) position, lag and error', () => {
    const nats = { kind: 'nats', name: 'nats:FLEET', state: 'connecting', position: 0, lag: null, lastError: null, nats: { stream: 'FLEET', unpublished: 2, connectedTo: null, streamLastSeq: null } };
    const text = formatStatus({ site: 'a'.repeat(32), seq: 2, conflicts: 0, peers: [], transports: [nats] } as unknown as Parameters<typeof formatStatus>[0]);
    expect(text).toContain('- nats:FLEET   connecting   position 0   not yet published 2');
    expect(text).not.toContain('null');
    expect(text).not.toContain('!');
  });

  it('status names the server it was asked in the confirm-deletions hint', () => {
    const text = formatStatus({ site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [], heldDeletions: [HELD] } as unknown as Parameters<typeof formatStatus>[0], 'http://10.0.0.2:5000/api/sync');
    expect(text).toContain('npx express-sqlite-sync confirm-deletions --url http://10.0.0.2:5000/api/sync --peer http://10.0.0.3:5000/api/sync --root uploads');
  });
});
