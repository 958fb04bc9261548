import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { badPathFixture, expectBadUsage } from '../helpers/cli-bad-path';
import { runCli } from '../helpers/h7-cli';

/**
 * A shell expands `~` only at the start of a word: `join --db=~/event/app.db`
 * (or a quoted `'~/app.db'`, a service unit, a script that builds the line)
 * reaches the CLI as it is. `join` then made a folder named `~` in the working
 * folder and a whole database in it, `backup --out ~/…` wrote its copy there,
 * and the operator started the server on an empty database in the home folder
 * (or later cleaned up with `rm -rf ~`). As the sample app refuses it in
 * `DATA_DIR`, a file option starting with `~` is now BAD_USAGE naming the home
 * folder, before anything is sent or written; `./~/x.db` still names a folder `~`.
 */
describe('a file option starting with an unexpanded "~" is BAD_USAGE', () => {
  const fixture = badPathFixture('ad2-tilde-');

  it.each<[string, (url: string, good: string) => string[], string, string]>([
    ['join --db=~/event/app.db', (url) => ['join', '--from', url, '--db=~/event/app.db', '--token', 'ad2-join-token-0123456789abcdef'], '--db', '~/event/app.db'],
    ['join --db ~', (url) => ['join', '--from', url, '--db', '~', '--token', 'ad2-join-token-0123456789abcdef'], '--db', '~'],
    ['backup --out ~/copy.db', (_url, db) => ['backup', '--db', db, '--out', '~/copy.db'], '--out', '~/copy.db'],
    ['backup --db ~alice/app.db', () => ['backup', '--db', '~alice/app.db', '--out', 'o.db'], '--db', '~alice/app.db'],
    ['restore --db ~/app.db', (_url, db) => ['restore', '--from', db, '--db', '~/app.db'], '--db', '~/app.db'],
    ['new-site-id --db ~/app.db', () => ['new-site-id', '--db', '~/app.db'], '--db', '~/app.db'],
    ['status --ca ~/ca.pem', (url) => ['status', '--url', url, '--ca', '~/ca.pem'], '--ca', '~/ca.pem'],
  ])('%s', async (_name, args, flag, value) => {
    const stderr = await expectBadUsage(fixture, args(fixture.server().url, fixture.good()), flag, value, { SYNC_TOKEN: 'ad2-env-token-0123456789abcdef' });
    expect(stderr).toMatch(new RegExp(`^express-sqlite-sync: ${flag} is ${JSON.stringify(value)}: "~" means the home folder only to a shell`, 'm'));
    expect(stderr).toContain(os.homedir());
  });

  it('./~/x.db names a folder called "~"', async () => {
    mkdirSync(path.join(fixture.dir(), '~'));
    const text = await runCli(['backup', '--db', fixture.good(), '--out', './~/x.db'], {}, fixture.dir());
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(fixture.dir(), '~', 'x.db'))).toBe(true);
  });

  it('~backup.db is a file name, not a home folder (no shell expands it)', async () => {
    const text = await runCli(['backup', '--db', fixture.good(), '--out', '~backup.db'], {}, fixture.dir());
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(fixture.dir(), '~backup.db'))).toBe(true);
  });
});
