import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * `--token $TOKEN --timeout 5000` with TOKEN empty reaches the CLI as
 * `--token --timeout 5000`: commander takes "--timeout" as the token and then
 * refuses "5000" as an excess argument. Before, the user read "too many
 * arguments for 'status'" (or "required option '--out' not specified" for
 * `backup --db --out x`), which says nothing of `--token` lacking its value.
 */
describe('an option followed by another option is named, even when commander finds another usage error first', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => res.writeHead(401).end());
  });
  afterAll(() => server.close());

  it.each<[string, (url: string) => string[], RegExp]>([
    ['status --token --timeout 5000', (url) => ['status', '--url', url, '--token', '--timeout', '5000'], /^--token is followed by --timeout, an option, not a value: .*leave --token out to use SYNC_TOKEN$/],
    ['sync --token --ca ca.pem', (url) => ['sync', '--url', url, '--token', '--ca', 'ca.pem'], /^--token is followed by --ca, an option, not a value/],
    ['join --db --token t (no --db left)', (url) => ['join', '--from', url, '--db', '--token', 'h8-join-token-0123456789abcdef'], /^--db is followed by --token, an option, not a value/],
    ['backup --db --out b.db (no --out left)', () => ['backup', '--db', '--out', 'b.db'], /^--db is followed by --out, an option, not a value/],
  ])('%s', async (_name, args, message) => {
    const before = server.requests.length;
    const text = await runCli(args(server.url), { SYNC_TOKEN: 'h8-env-token-0123456789abcdef' });
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(new RegExp(`^express-sqlite-sync: ${message.source.slice(1)}`, 'm'));
    expect(text.stderr).not.toMatch(/too many arguments|not specified/);
    const json = await runCli([...args(server.url), '--json'], { SYNC_TOKEN: 'h8-env-token-0123456789abcdef' });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'BAD_USAGE', message: expect.stringMatching(message) } });
    expect(server.requests.length).toBe(before); // nothing sent
  });
});
