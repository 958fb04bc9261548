import { normalizePeerUrl } from '../../lib/peers/peer-url';
import { runCli } from '../helpers/h7-cli';

const SECRET = 'h7-query-secret-0123456789abcdef';

/**
 * A token put in a URL's query by habit (`?token=…`, `?access_token=…`) or its
 * fragment is refused, and the refusal, which reaches terminals, CI logs and a
 * server's start-up log (`SYNC_PEERS`), never repeats it.
 */
describe('a URL with a query or fragment is refused without repeating them', () => {
  it.each([`?token=${SECRET}`, `?access_token=${SECRET}&x=1`, `#${SECRET}`, `?a=1#${SECRET}`])('normalizePeerUrl(…/api/sync%s)', (tail) => {
    let message = '';
    try {
      normalizePeerUrl(`http://10.0.0.2:5000/api/sync${tail}`, 'SYNC_PEERS entry');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('express-sqlite-sync: SYNC_PEERS entry http://10.0.0.2:5000/api/sync?… must not carry a query or a fragment (a token never goes in the URL: peers are sent it in the Authorization header)');
  });

  it('a URL that does not parse shows no query either', () => {
    expect(() => normalizePeerUrl(`http://[bad/api/sync?token=${SECRET}`, '--url')).toThrow(/^express-sqlite-sync: --url "http:\/\/\[bad\/api\/sync\?…" is not a URL/);
  });

  it.each([['status', '--url'], ['sync', '--url'], ['confirm-deletions', '--url'], ['join', '--from']])('%s %s …?token=<secret>: BAD_URL on stdout and stderr, the secret in neither', async (command, flag) => {
    const result = await runCli([command, flag, `http://127.0.0.1:9/api/sync?token=${SECRET}`, '--token', 'h7-flag-token-0123456789abcdef', ...(command === 'join' ? ['--db', 'never-made.db'] : []), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'BAD_URL', message: expect.stringContaining('/api/sync?… must not carry a query') } });
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
