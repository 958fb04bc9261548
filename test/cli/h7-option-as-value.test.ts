import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * `--token $TOKEN --json` with TOKEN empty or unset reaches the CLI as
 * `--token --json`: commander takes "--json" as the token. Before, the CLI sent
 * `Authorization: Bearer --json` to the server and reported its 401.
 */
describe('an option whose value is another option (an empty shell variable) is BAD_USAGE, before any request', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'the sync token is wrong' } })));
  });
  afterAll(() => server.close());

  it.each<[string, (url: string) => string[], RegExp]>([
    ['status --token --json', (url) => ['status', '--url', url, '--token', '--json'], /^--token is followed by --json, an option, not a value: an empty or unset shell variable\? Quote it \("\$VAR"\), or leave --token out to use SYNC_TOKEN$/],
    ['sync --token --json --timeout 5000', (url) => ['sync', '--url', url, '--token', '--json', '--timeout', '5000'], /^--token is followed by --json/],
    ['confirm-deletions --peer --json', (url) => ['confirm-deletions', '--url', url, '--peer', '--json'], /^--peer is followed by --json, an option, not a value: an empty or unset shell variable\? Quote it \("\$VAR"\)$/],
    ['join --db --json', (url) => ['join', '--from', url, '--db', '--json', '--token', 'h7-join-token-0123456789abcdef'], /^--db is followed by --json/],
    ['backup --out --force --json', () => ['backup', '--db', 'app.db', '--out', '--force', '--json'], /^--out is followed by --force/],
  ])('%s', async (_name, args, message) => {
    const before = server.requests.length;
    const result = await runCli(args(server.url), { SYNC_TOKEN: 'h7-env-token-0123456789abcdef' });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_USAGE', message: expect.stringMatching(message) } });
    expect(result.stderr).toMatch(/^express-sqlite-sync: --\w+ is followed by/);
    expect(server.requests.length).toBe(before); // nothing sent
  });
});
