import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../lib/data/capture';
import { badPathFixture, expectBadUsage } from '../helpers/cli-bad-path';
import { runCli } from '../helpers/h7-cli';

/**
 * better-sqlite3 trims the file name it opens (`new Database(' x.db ')` opens
 * `x.db`), and so does its `backup()`. A database option whose value starts or
 * ends with a blank (copied with a trailing space, a quoted `"app.db "` in a
 * script) named one file to the CLI's own checks and another to SQLite:
 * `new-site-id --db 'app.db '` gave a new identity to `app.db`, another
 * database, and printed the name given; `join --db 'app.db '` placed the
 * snapshot at `app.db ` and then made an empty `app.db` beside it, its pull
 * failing with CAPTURE_REFUSED (exit 2); `backup --db 'app.db '` copied
 * `app.db`. Such a value is now BAD_USAGE, before anything is sent or written.
 */
describe('a database option starting or ending with a blank is BAD_USAGE', () => {
  const fixture = badPathFixture('ao3-blank-ends-');
  const token = 'ao3-blank-token-0123456789abcdef';

  it.each<[string, (url: string, good: string) => string[], string]>([
    ['join --db "app.db "', (url) => ['join', '--from', url, '--db', 'app.db ', '--token', token], '--db'],
    ['join --db " app.db"', (url) => ['join', '--from', url, '--db', ' app.db', '--token', token], '--db'],
    ['join --db "app.db<no-break space>"', (url) => ['join', '--from', url, '--db', 'app.db\u00a0', '--token', token], '--db'],
    ['backup --db "good.db "', (_url, db) => ['backup', '--db', `${db} `, '--out', 'o.db'], '--db'],
    ['backup --out "o.db "', (_url, db) => ['backup', '--db', db, '--out', 'o.db '], '--out'],
    ['restore --from "good.db "', (_url, db) => ['restore', '--from', `${db} `, '--db', 'r.db'], '--from'],
    ['restore --db "r.db "', (_url, db) => ['restore', '--from', db, '--db', 'r.db '], '--db'],
    ['new-site-id --db "good.db "', () => ['new-site-id', '--db', 'good.db '], '--db'],
  ])('%s', async (_name, args, flag) => {
    const given = args(fixture.server().url, fixture.good());
    const shown = given[given.indexOf(flag) + 1] ?? '';
    const stderr = await expectBadUsage(fixture, given, flag, shown, { SYNC_TOKEN: token });
    expect(stderr).toMatch(/starts or ends with a blank/);
    expect(stderr).toContain(JSON.stringify(shown.trim()));
  });

  it('new-site-id --db "good.db " leaves good.db, another database beside "good.db ", with its identity', async () => {
    const good = fixture.good();
    const db = new Database(good);
    db.exec('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT)');
    enableCapture(db, { tables: ['teams'] });
    db.close();
    copyFileSync(good, `${good} `);
    const before = siteIdOf(good);
    const run = await runCli(['new-site-id', '--db', 'good.db '], {}, fixture.dir());
    expect(run.code).toBe(1);
    expect(siteIdOf(good)).toBe(before);
  });
});

/** The site id a database holds, read without changing it. */
function siteIdOf(file: string): string {
  const db = new Database(path.resolve(file), { readonly: true });
  try {
    return (db.prepare('SELECT site FROM _sync_sites WHERE id = 0').get() as { site: string }).site;
  } finally {
    db.close();
  }
}
