import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordingServer, runCli, type RecordingServer } from '../helpers/h7-cli';
import { tempDir } from '../helpers/temp';

/**
 * No command reads stdin or writes stdout for a file, so a path of `-` (or one
 * that starts with `-`, as a stray option such as `--db --gzipx`) named a file
 * by that name: `join --db -` created a database called `-`, `backup --out -`
 * wrote one, `restore --from -` and `new-site-id --db -` read one. Each is now
 * a usage error, as an option followed by another option is, and nothing is
 * sent or written; `./-x.db` still names a file that starts with `-`.
 */
describe('a file option given "-" or a value that looks like an option is BAD_USAGE', () => {
  let server: RecordingServer;
  let temp: ReturnType<typeof tempDir>;
  let good: string;
  beforeAll(async () => {
    server = await recordingServer((_req, res) => res.writeHead(500).end());
  });
  afterAll(() => server.close());
  beforeEach(() => {
    temp = tempDir('aa4-dash-');
    good = path.join(temp.dir, 'good.db');
    const db = new Database(good);
    db.exec('CREATE TABLE t (x)');
    db.close();
  });
  afterEach(() => temp.cleanup());

  it.each<[string, (url: string, good: string) => string[], string, string]>([
    ['join --db -', (url) => ['join', '--from', url, '--db', '-', '--token', 'aa4-join-token-0123456789abcdef'], '--db', '-'],
    ['join --db --gzipx', (url) => ['join', '--from', url, '--db', '--gzipx', '--token', 'aa4-join-token-0123456789abcdef'], '--db', '--gzipx'],
    ['backup --out -', (_url, db) => ['backup', '--db', db, '--out', '-'], '--out', '-'],
    ['backup --out --weird', (_url, db) => ['backup', '--db', db, '--out', '--weird'], '--out', '--weird'],
    ['backup --db -', () => ['backup', '--db', '-', '--out', 'o.db'], '--db', '-'],
    ['restore --from -', () => ['restore', '--from', '-', '--db', 'x.db'], '--from', '-'],
    ['restore --db -', (_url, db) => ['restore', '--from', db, '--db', '-'], '--db', '-'],
    ['new-site-id --db -', () => ['new-site-id', '--db', '-'], '--db', '-'],
    ['status --ca -', (url) => ['status', '--url', url, '--ca', '-'], '--ca', '-'],
  ])('%s', async (_name, args, flag, value) => {
    const before = server.requests.length;
    const env = { SYNC_TOKEN: 'aa4-env-token-0123456789abcdef' };
    // The CLI runs in the temp folder: a file named "-" would appear there.
    const text = await runCli(args(server.url, good), env, temp.dir);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(new RegExp(`^express-sqlite-sync: ${flag} is ${JSON.stringify(value)}`, 'm'));
    const json = await runCli([...args(server.url, good), '--json'], env, temp.dir);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'BAD_USAGE', message: expect.stringContaining(`${flag} is ${JSON.stringify(value)}`) as string } });
    expect(server.requests.length).toBe(before); // nothing sent
    expect(readdirSync(temp.dir).sort()).toEqual(['good.db']); // nothing written
  });

  it('./-x.db names a file that starts with "-"', async () => {
    const text = await runCli(['backup', '--db', good, '--out', './-x.db'], {}, temp.dir);
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(temp.dir, '-x.db'))).toBe(true);
  });
});
