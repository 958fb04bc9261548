import { runCli } from '../helpers/h7-cli';

const SECRET = 'ag2-url-secret-0123456789abcdef';

/**
 * Found by helper ag2: a careless operator who put the token in the URL (`http://<token>@host`, or
 * `?token=<token>` as some tools take it) and no `--token` was told "no token: pass --token or set
 * SYNC_TOKEN", as if the token had not been given at all; the URL's own refusal came only once a token
 * was passed. The URL is now checked first, so the refusal says where the token went wrong.
 */
describe('ag2: a token put in the URL, no --token, no SYNC_TOKEN', () => {
  it.each([
    ['status', '--url', `http://${SECRET}@127.0.0.1:9`, /carries a user name or password/],
    ['sync', '--url', `http://127.0.0.1:9/api/sync?token=${SECRET}`, /must not carry a query or a fragment \(a token never goes in the URL/],
    ['confirm-deletions', '--url', `http://scout:${SECRET}@127.0.0.1:9/api/sync`, /carries a user name or password/],
    ['join', '--from', `http://127.0.0.1:9/?token=${SECRET}`, /must not carry a query or a fragment/],
  ])('%s %s <url with the token>: BAD_URL about the URL, the token repeated nowhere', async (command, flag, url, message) => {
    const result = await runCli([command, flag, url, ...(command === 'join' ? ['--db', 'never-made.db'] : []), '--json']);
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('BAD_URL');
    expect(error.message).toMatch(message);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
