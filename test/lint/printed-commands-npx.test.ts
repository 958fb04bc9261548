import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatResult } from '../../bin/commands/sync';
import { confirmDeletionsLine } from '../../bin/commands/confirm-line';
import type { PeerSyncResult } from '../../index';
import { CLI_COMMAND } from '../../lib/cli-command';
import { stopCopyFix } from '../../lib/data/new-site-id-fix';
import { DuplicateSiteError } from '../../lib/peers/duplicate-site';
import { duplicateFilesSite } from '../../lib/peers/file-peer-site';
import { cloneError } from '../../lib/peers/nats/subject-checks';
import { logHeld } from '../../lib/peers/sync-log';
import { restoreCommand } from '../../sample-app/database';
import { captureLog } from '../helpers/log';
import { PACKAGE_ROOT, packageSources } from '../helpers/package-sources';

/**
 * The package is installed in the app (`npm install express-sqlite-sync`): its `express-sqlite-sync` is in
 * node_modules/.bin, not on the PATH, so a fix printed as `express-sqlite-sync new-site-id --db …` failed with
 * "command not found" when pasted. Every command printed for the operator to run now starts with
 * `npx express-sqlite-sync ` (CLI_COMMAND), as the README writes them.
 */

const ROOT = PACKAGE_ROOT;
/** The CLI's commands (bin/express-sqlite-sync.ts). */
const COMMANDS = ['status', 'sync', 'confirm-deletions', 'backup', 'restore', 'join', 'new-site-id'];
/** `express-sqlite-sync <command>` without `npx ` before it. */
const BARE = new RegExp(`(?<!npx )express-sqlite-sync (?=(?:${COMMANDS.join('|')})\\b)`);


/** Each `express-sqlite-sync <command>` a text tells to run, with the word right before it when there is one (`npx express-sqlite-sync status`). */
function commandsIn(text: string): string[] {
  const pattern = new RegExp(`(?:([A-Za-z]+) )?express-sqlite-sync (${COMMANDS.join('|')})\\b`, 'g');
  return [...text.matchAll(pattern)].map((match) => `${match[1] ?? ''} express-sqlite-sync ${match[2] ?? ''}`.trim());
}

const HELD = { peer: 'http://10.0.0.3:5000/api/sync', root: 'uploads', side: 'here' as const, count: 40, files: 41, percent: 97.6, maxDeletePercent: 50, examples: ['a.jpg'], heldAt: '2026-12-02T06:00:00.000Z' };

function heldResult(): PeerSyncResult {
  const fileErrors = Array.from({ length: 7 }, (_, i) => ({ path: `uploads/p${i}.jpg`, code: 'EIO', message: 'i/o error' }));
  return { peer: HELD.peer, siteId: undefined, ok: true, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [], durationMs: 12, error: undefined, fileErrors, fileErrorCount: 7, heldDeletions: [HELD] };
}

function heldLogLine(): string {
  const log = captureLog('warn');
  logHeld(log.logger, HELD, undefined, true);
  return String(log.events('files.deletions_held')[0]?.msg);
}

describe('every command printed for the operator to run starts with npx', () => {
  it('CLI_COMMAND is `npx express-sqlite-sync`', () => {
    expect(CLI_COMMAND).toBe('npx express-sqlite-sync');
  });

  it.each<[string, () => string]>([
    ['SAME_SITE_ID fix, naming this server\'s file', () => stopCopyFix('/srv/data/app.db')],
    ['SAME_SITE_ID fix, without a file', () => stopCopyFix(undefined)],
    ['DUPLICATE_SITE_ID (data)', () => new DuplicateSiteError('http://a:5000/api/sync', 'http://b:5000/api/sync', 'site-1').message],
    ['DUPLICATE_SITE_ID (files)', () => duplicateFilesSite('http://a:5000/api/sync', 'http://b:5000/api/sync', 'site-1').message],
    ['SAME_SITE_ID over NATS', () => cloneError('sync.site', 'a page', '/srv/data/app.db').message],
    ['files.deletions_held log line', heldLogLine],
    ['confirm-deletions line', () => confirmDeletionsLine({ url: 'https://a:5000/api/sync', ca: '/etc/ca.pem' }, HELD)],
    ['sync output: held deletions and more file errors than listed', () => formatResult(heldResult())],
    ['sample app restore fix (sh)', () => restoreCommand('/srv/my data/instance/app.db', 'linux')],
    ['sample app restore fix (cmd.exe)', () => restoreCommand('C:\\Event Data\\instance\\app.db', 'win32')],
  ])('%s', (_what, text) => {
    const commands = commandsIn(text());
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(command).toMatch(/^npx express-sqlite-sync /);
  });

  it('no source file writes `express-sqlite-sync <command>` without npx outside a comment', () => {
    const bare = packageSources().flatMap((file) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ where: `${file}:${index + 1}`, line }))
        .filter(({ line }) => !/^\s*(\*|\/\/|\/\*\*)/.test(line) && BARE.test(line)),
    );
    expect(bare.map(({ where, line }) => `${where}: ${line.trim().slice(0, 160)}`)).toEqual([]);
  });
});
