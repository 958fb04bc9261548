import { badPathFixture, expectBadUsage } from '../helpers/cli-bad-path';

/**
 * A target named as a database's side file (`x.db-wal`, `-shm`, `-journal`, the server's `-syncmark`, or SQLite's
 * super-journal `x.db-mj` + six hex digits, `9`, two hex digits): SQLite takes such a file for the side file of `x.db`
 * (and deletes or rolls it back), and the file guard never syncs it. Before, `join --db x.db-mj0a1b2c9d3` and
 * `restore --db` under that name wrote a database there, and `backup --out x.db-wal` wrote one when no `x.db` was
 * beside it; the other side names were refused only by the library (TARGET_EXISTS for join, after the token and the URL
 * were looked at). Each is now BAD_USAGE up front, naming the rule: nothing is sent, nothing written.
 */
describe('a target named as a database side file is BAD_USAGE', () => {
  const fixture = badPathFixture('ap4-side-target-');
  const token = 'ap4-side-token-0123456789abcdef';
  const SUPER = 'x.db-mj0a1b2c9d3';

  it.each<[string, (url: string, good: string) => string[], string, string]>([
    ['join --db <super-journal>', (url) => ['join', '--from', url, '--db', SUPER, '--token', token], '--db', '-mj0a1b2c9d3'],
    ['join --db <super-journal, upper case>', (url) => ['join', '--from', url, '--db', 'x.db-MJ0A1B2C9D3', '--token', token], '--db', '-MJ0A1B2C9D3'],
    ['join --db x.db-wal', (url) => ['join', '--from', url, '--db', 'x.db-wal', '--token', token], '--db', '-wal'],
    ['join --db x.db-journal', (url) => ['join', '--from', url, '--db', 'x.db-journal', '--token', token], '--db', '-journal'],
    ['join --db x.db-shm', (url) => ['join', '--from', url, '--db', 'x.db-shm', '--token', token], '--db', '-shm'],
    ['join --db x.db-syncmark', (url) => ['join', '--from', url, '--db', 'x.db-syncmark', '--token', token], '--db', '-syncmark'],
    ['backup --out <super-journal>', (_url, db) => ['backup', '--db', db, '--out', SUPER], '--out', '-mj0a1b2c9d3'],
    ['backup --out x.db-wal (no x.db beside it)', (_url, db) => ['backup', '--db', db, '--out', 'x.db-wal'], '--out', '-wal'],
    ['restore --db <super-journal>', (_url, db) => ['restore', '--from', db, '--db', SUPER], '--db', '-mj0a1b2c9d3'],
    ['restore --db x.db-journal', (_url, db) => ['restore', '--from', db, '--db', 'x.db-journal'], '--db', '-journal'],
  ])('%s', async (_name, args, flag, suffix) => {
    const given = args(fixture.server().url, fixture.good());
    const value = given[given.indexOf(flag) + 1] ?? '';
    const stderr = await expectBadUsage(fixture, given, flag, value, { SYNC_TOKEN: token });
    expect(stderr).toContain(`is named as the ${suffix} of x.db`);
    expect(stderr).toMatch(/-wal, -shm, -journal, a super-journal's -mj…, or the sync server's -syncmark/);
  });
});
