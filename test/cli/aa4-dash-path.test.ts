import { existsSync } from 'node:fs';
import path from 'node:path';
import { badPathFixture, expectBadUsage } from '../helpers/cli-bad-path';
import { runCli } from '../helpers/h7-cli';

/**
 * No command reads stdin or writes stdout for a file, so a path of `-` (or one
 * that starts with `-`, as a stray option such as `--db --gzipx`) named a file
 * by that name: `join --db -` created a database called `-`, `backup --out -`
 * wrote one, `restore --from -` and `new-site-id --db -` read one. Each is now
 * a usage error, as an option followed by another option is, and nothing is
 * sent or written; `./-x.db` still names a file that starts with `-`.
 */
describe('a file option given "-" or a value that looks like an option is BAD_USAGE', () => {
  const fixture = badPathFixture('aa4-dash-');

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
    await expectBadUsage(fixture, args(fixture.server().url, fixture.good()), flag, value, { SYNC_TOKEN: 'aa4-env-token-0123456789abcdef' });
  });

  it('./-x.db names a file that starts with "-"', async () => {
    const text = await runCli(['backup', '--db', fixture.good(), '--out', './-x.db'], {}, fixture.dir());
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(fixture.dir(), '-x.db'))).toBe(true);
  });
});
