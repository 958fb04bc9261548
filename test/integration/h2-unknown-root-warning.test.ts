import request from 'supertest';
import { runCli } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { startUnknownRootPair, type UnknownRootPair } from '../helpers/unknown-root-pair';

/**
 * A root this server syncs that the peer does not have (the peer answers UNKNOWN_ROOT) was skipped
 * without a word: the round was ok and nothing said the root's files never travel. Now the round
 * carries a warning naming the root (`warnings` of the result, so of the peer's `lastResult` on `/status`, a line
 * of the CLI's `status`); the round stays ok and its data part is done.
 */
describe('a root the peer does not know', () => {
  let pair: UnknownRootPair;

  beforeEach(async () => {
    pair = await startUnknownRootPair('ess-h2-root-');
    pair.peerDb.db.prepare("INSERT INTO notes VALUES ('n1', 'from the peer')").run();
  });

  afterEach(async () => {
    await pair?.close();
  });

  it('is a warning naming the root on the result, /status and the CLI; the round is ok and its data synced', async () => {
    const [result] = await pair.node.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPulled: 1 });
    expect(result?.warnings).toEqual([{ code: 'UNKNOWN_ROOT', root: 'config', message: expect.stringMatching(/"config"/) }]);
    const status = await request(pair.local.app).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    const shown = (status.body as { peers: Array<{ state: string; lastResult: { warnings: unknown } }> }).peers[0];
    expect(shown?.state).toBe('ok');
    expect(shown?.lastResult.warnings).toEqual([{ code: 'UNKNOWN_ROOT', root: 'config', message: expect.stringMatching(/"config"/) }]);
    const cli = await runCli(['status', '--url', pair.local.url, '--token', TEST_TOKEN]);
    expect(cli.stdout).toMatch(/UNKNOWN_ROOT.*config/);
  });
});
