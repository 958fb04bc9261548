import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';

/**
 * An option given twice with two values (a command line edited in haste): which
 * one counts is a guess. Before, the last one silently won (`restore --db a.db
 * --db b.db` wrote b.db; `status --url A --url B` asked B). Now it is BAD_USAGE
 * before anything is done; the same value twice is accepted.
 */
describe('an option given twice with two values is BAD_USAGE', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(() => server.close());

  it.each<[string, (url: string) => string[], string]>([
    ['status --url A --url B', (url) => ['status', '--url', url, '--url', `${url}/other`, '--token', 'h7-token-0123456789abcdef'], '--url is given twice: give it once'],
    ['sync --token A --token B', (url) => ['sync', '--url', url, '--token', 'h7-token-one-0123456789abcdef', '--token', 'h7-token-two-0123456789abcdef'], '--token is given twice: give it once'],
    ['confirm-deletions --root A --root B', (url) => ['confirm-deletions', '--url', url, '--root', 'uploads', '--root', 'static', '--token', 'h7-token-0123456789abcdef'], '--root is given twice ("uploads", then "static"): give it once'],
    ['join --from A --from B', (url) => ['join', '--from', url, '--from', 'http://127.0.0.1:9', '--db', 'never.db', '--token', 'h7-token-0123456789abcdef'], '--from is given twice: give it once'],
    ['restore --db A --db B', () => ['restore', '--from', 'backup.db', '--db', 'a.db', '--db', 'b.db'], '--db is given twice ("a.db", then "b.db"): give it once'],
    ['backup --out A --out B', () => ['backup', '--db', 'app.db', '--out', 'a.db', '--out', 'b.db'], '--out is given twice ("a.db", then "b.db"): give it once'],
  ])('%s', async (_name, args, message) => {
    const before = server.requests.length;
    const result = await runCli([...args(server.url), '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'BAD_USAGE', message } });
    expect(result.stderr).toBe(`express-sqlite-sync: ${message}\n`); // no token, no stack
    expect(server.requests.length).toBe(before);
  });

  it('the same value twice is one value', async () => {
    const result = await runCli(['status', '--url', server.url, '--url', server.url, '--token', 'h7-token-0123456789abcdef', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'PEER_ERROR' } }); // it asked the server, which answered 500
  });
});
