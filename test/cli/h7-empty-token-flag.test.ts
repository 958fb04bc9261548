import { runCli } from '../helpers/h7-cli';

/**
 * `--token "$TOKEN"` with TOKEN unset gives `--token ''`. Before, the CLI said
 * "no token: pass --token or set SYNC_TOKEN" although SYNC_TOKEN was set; it
 * now says the flag is empty, and how to use SYNC_TOKEN instead.
 */
describe('an empty --token is NO_TOKEN saying so, SYNC_TOKEN set or not', () => {
  it.each([
    ['SYNC_TOKEN set', 'h7-env-token-0123456789abcdef'],
    ['SYNC_TOKEN unset', ''],
  ])('%s', async (_name, envToken) => {
    const result = await runCli(['status', '--url', 'http://127.0.0.1:9', '--token', '', '--json'], { SYNC_TOKEN: envToken });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'NO_TOKEN', message: '--token is empty (an unset shell variable?): pass the token, or leave --token out to use SYNC_TOKEN' } });
  });

  it('no --token and no SYNC_TOKEN is NO_TOKEN as before', async () => {
    const result = await runCli(['join', '--from', 'http://127.0.0.1:9', '--db', 'never.db', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'NO_TOKEN', message: 'no token: pass --token or set SYNC_TOKEN' } });
  });
});
