import { recordingServer, runCli } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { startUnknownRootPair, type UnknownRootPair } from '../helpers/unknown-root-pair';

/**
 * `sync` of a server with a root its peer does not have: the round is ok and carries an
 * `UNKNOWN_ROOT` warning, which `status` and the status page show; `sync` printed "✔" alone.
 * It now prints the warning under the peer's line, as `status` does (exit code 0: the round synced).
 */
describe('express-sqlite-sync sync: a round\'s warnings', () => {
  let pair: UnknownRootPair;

  beforeAll(async () => {
    pair = await startUnknownRootPair('ess-h6-sync-warnings-');
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('prints UNKNOWN_ROOT with its root under the peer\'s ✔ line, exit code 0', async () => {
    const result = await runCli(['sync', '--url', pair.local.url, '--token', TEST_TOKEN]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^✔ http:\/\/127\.0\.0\.1:\d+\/api\/sync {3}rows/);
    expect(lines[1]).toMatch(/^ {2}warning: UNKNOWN_ROOT config: the peer has no root "config"/);
  });

  it('a warning of another kind (no root: a later version\'s) is skipped, never a bad answer', async () => {
    const result = { peer: 'http://b', ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 1,
      warnings: [{ code: 'SOMETHING_NEW', message: 'later' }, { code: 'UNKNOWN_ROOT', root: 'config', message: 'no root' }] };
    const stub = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ type: 'results', results: [result] })}\n`);
    });
    try {
      const printed = await runCli(['sync', '--url', `${stub.url}/api/sync`, '--token', TEST_TOKEN]);
      expect(printed.code).toBe(0);
      expect(printed.stdout.split('\n').slice(1)).toEqual(['  warning: UNKNOWN_ROOT config: no root', '']);
    } finally {
      await stub.close();
    }
  });
});
