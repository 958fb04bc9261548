import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

const PEER = 'http://10.0.0.2:5000/api/sync';
const HELD = { peer: PEER, root: 'static', side: 'here', count: 4, files: 6, percent: 66, examples: [] };

/**
 * `confirm-deletions` whose sync then fails (the peer went away, a wrong token): it printed
 * "✘ synced with <peer>" and nothing else, though the server's answer names the failure's code and
 * message, as `sync` prints them ("✘ <peer>   <code>: <message>"). It now says them on that line.
 */
describe('express-sqlite-sync confirm-deletions when the sync after it fails', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    const answer = {
      confirmed: [HELD],
      results: [{ peer: PEER, ok: false, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 3,
        error: { code: 'ECONNREFUSED', message: `${PEER} is unreachable (connect ECONNREFUSED 10.0.0.2:5000)` }, fileErrors: [], fileErrorCount: 0, heldDeletions: [] }],
    };
    server = await recordingServer((_req, res) => {
      res.writeHead(207, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  afterAll(() => server.close());

  it('prints the failure\'s code and message, and exits with 2', async () => {
    const result = await runCli(['confirm-deletions', '--url', `${server.url}/api/sync`], { SYNC_TOKEN: 'h6-confirm-token-0123456789' });
    expect(result.code).toBe(2);
    expect(result.stdout.split('\n')).toEqual([
      'confirmed: 4 deletion(s) of 6 file(s) in static on this server',
      `✘ synced with ${PEER}: ECONNREFUSED: ${PEER} is unreachable (connect ECONNREFUSED 10.0.0.2:5000)`,
      '',
    ]);
  });

  it('--json prints the answer, the error with its code', async () => {
    const result = await runCli(['confirm-deletions', '--url', `${server.url}/api/sync`, '--json'], { SYNC_TOKEN: 'h6-confirm-token-0123456789' });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ results: [{ ok: false, error: { code: 'ECONNREFUSED' } }] });
  });
});
