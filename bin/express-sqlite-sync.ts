#!/usr/bin/env node
import { DEFAULTS } from '../lib/defaults';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { defaultPortHint, isAnswerCutOff, isPlainHttpAnswer, rawFailure, wrongHostFix } from '../lib/peers/peer-failure';
import { UNREACHABLE_CODES, UNTRUSTED_CERTIFICATE_CODES, WRONG_HOST_CERTIFICATE_CODE } from '../lib/peers/failure-codes';
import { SyncError } from '../lib/sync-error';
import { isQuotedToken } from '../lib/token-rules';
import { givenOnce, parseMilliseconds, parseSkewMilliseconds } from './commands/arguments';
import { backupCommand } from './commands/backup';
import { joinCommand } from './commands/join';
import { confirmCommand } from './commands/confirm';
import { dropWritesOnClosedPipe } from './commands/closed-pipe';
import { printableLines } from './commands/remote';
import { refuseBlankEnds, refuseDashPath, refuseOptionAsValue, refuseSideFileTarget, refuseUnexpandedHome } from './commands/option-values';
import { newSiteIdCommand, restoreCommand } from './commands/restore';
import { statusCommand } from './commands/status';
import { syncCommand } from './commands/sync';

/** The package's version, from the nearest package.json named express-sqlite-sync above this file. */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'express-sqlite-sync' && typeof manifest.version === 'string') return manifest.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/**
 * A command that, before reporting any usage error of commander's own
 * (`too many arguments`, a missing value, a missing option), first refuses an
 * option whose value is another option: `--token $EMPTY --timeout 5000` leaves
 * "5000" over, and "too many arguments" would not say that `--token` lacks its value.
 */
export class CliCommand extends Command {
  /** Subcommands are CliCommands too. */
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  /** @throws SyncError `BAD_USAGE` from {@link refuseOptionAsValue}, else commander's error */
  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    refuseOptionAsValue(this);
    return super.error(message, errorOptions);
  }
}

/** Builds the command-line program (exported for tests). */
export function buildProgram(): Command {
  const program = new CliCommand('express-sqlite-sync')
    .description('Operate servers kept in sync by express-sqlite-sync')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride() // usage errors reach the catch below (and `--json` prints them), inherited by every command
    .hook('preAction', (_program, command) => {
      refuseOptionAsValue(command); // `--token $EMPTY --json`
      refuseDashPath(command); // `--db -`, `--db --gzipx`: no file by that name is made or read
      refuseUnexpandedHome(command); // `--db=~/app.db`: no folder named `~` is made here
      refuseBlankEnds(command); // `--db 'app.db '`: SQLite would open app.db, another file
      refuseSideFileTarget(command); // `join --db x.db-wal`: SQLite would take the new database for x.db's side file
    });
  const remote = (command: Command): Command =>
    command
      .requiredOption('--url <url>', "the server's sync API, e.g. http://localhost:5000/api/sync (a URL without a path means its /api/sync)", givenOnce('--url', true))
      .option('--token <token>', 'the shared sync token (default: $SYNC_TOKEN)', givenOnce('--token', true))
      .option('--timeout <ms>', 'give up after this long without data', parseMilliseconds, 60_000)
      .option('--ca <file>', "a PEM file with the CA certificate of a server with a self-signed certificate (default: $SYNC_PEER_CA)", givenOnce('--ca'))
      .option('--json', 'print JSON');
  remote(program.command('status').description("show a server's sync status: peers, last success, errors, lag")).action(statusCommand);
  remote(program.command('sync').description('ask a server to sync with its peers now, with progress')).action(syncCommand);
  remote(program.command('confirm-deletions').description('let a server make the file deletions its mass-delete guard holds back, then sync'))
    .option('--peer <url>', "only those held for this peer (its URL as `status` shows it)", givenOnce('--peer', true))
    .option('--root <name>', 'only those held in this root', givenOnce('--root'))
    .action(confirmCommand);
  program
    .command('backup')
    .description('copy a live database with the SQLite online backup API (never a file copy)')
    .requiredOption('--db <file>', 'the database to back up', givenOnce('--db'))
    .requiredOption('--out <file>', 'where to write the backup', givenOnce('--out'))
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print JSON: the result, or a failure as { "error": { "code", "message" } }')
    .action(backupCommand);
  program
    .command('restore')
    .description('restore a backup with the online backup API; the restored database gets a new site id')
    .requiredOption('--from <file>', 'the backup to restore', givenOnce('--from'))
    .requiredOption('--db <file>', 'the database file to write (stop its server first)', givenOnce('--db'))
    .option('--force', 'replace --db if it exists (its stale -wal, -shm and -journal files are removed)')
    .option('--json', 'print JSON: the result, or a failure as { "error": { "code", "message" } }')
    .action(restoreCommand);
  program
    .command('join')
    .description("create a new server's database from a peer's snapshot (new site id, the peer's clocks), then pull what came after")
    .requiredOption('--from <url>', "a peer's sync API, e.g. http://10.0.0.2:5000/api/sync", givenOnce('--from', true))
    .requiredOption('--db <file>', 'the database file to create; it must not exist', givenOnce('--db'))
    .option('--token <token>', 'the shared sync token (default: $SYNC_TOKEN)', givenOnce('--token', true))
    .option('--gzip', 'ask for a gzip-compressed snapshot (pays on Wi-Fi and slower links)')
    .option('--timeout <ms>', 'give up after this long without data', parseMilliseconds, 60_000)
    .option('--ca <file>', "a PEM file with the peer's CA certificate, for a self-signed certificate (default: $SYNC_PEER_CA)", givenOnce('--ca'))
    .option('--max-clock-skew-ms <ms>', `how far ahead of this machine's clock a synced clock may be, as the new server will run (default: $SYNC_MAX_CLOCK_SKEW_MS, else ${DEFAULTS.maxClockSkewMs})`, parseSkewMilliseconds)
    .option('--json', 'print JSON')
    .action(joinCommand);
  program
    .command('new-site-id')
    .description("give a database copied from another server its own identity (stop its server first)")
    .requiredOption('--db <file>', 'the database file', givenOnce('--db'))
    .option('--json', 'print JSON: the result, or a failure as { "error": { "code", "message" } }')
    .action(newSiteIdCommand);
  return program;
}

/** The commands that talk to a server (`--url`, or `--from` for join); the others work on local files only. */
const REMOTE_COMMANDS: ReadonlySet<string> = new Set(['status', 'sync', 'confirm-deletions', 'join']);
/** The flag naming the file that must exist, for the commands that work on local files. */
const LOCAL_FILE_FLAGS: ReadonlyMap<string, string> = new Map([['backup', '--db'], ['new-site-id', '--db'], ['restore', '--from']]);

/** What the command line was given, for hints that depend on it. */
export interface CliGiven {
  /** A CA certificate was given (`--ca`, or `SYNC_PEER_CA`). */
  readonly ca?: boolean;
  /** The server's URL (`--url`, `--from` for join) is an `http://` one. */
  readonly plainHttpUrl?: boolean;
  /** What to say of a connection refused at that URL when it names no port (see `defaultPortHint`). */
  readonly portHint?: string;
  /** Where the token sent came from, and whether it is wrapped in quotes (kept from an env file?). */
  readonly token?: { readonly from: '--token' | 'SYNC_TOKEN'; readonly quote: string | undefined };
}

/** Where the token of `--token` or `SYNC_TOKEN` came from, as {@link CliGiven} says it; undefined without one. */
function tokenGiven(flag: unknown): CliGiven['token'] {
  const env = process.env.SYNC_TOKEN ?? '';
  const [from, token] = typeof flag === 'string' ? (['--token', flag] as const) : (['SYNC_TOKEN', env] as const);
  if (token === '') return undefined;
  return { from, quote: isQuotedToken(token) ? token[0] : undefined };
}

/** What `command` (parsed by `program`) was given: its `--ca` or `SYNC_PEER_CA`, its URL's scheme. */
export function givenOf(program: Command, command: string | undefined): CliGiven {
  const options = program.commands.find((each) => each.name() === command)?.opts<{ ca?: unknown; url?: unknown; from?: unknown; token?: unknown }>() ?? {};
  const url = command === 'join' ? options.from : options.url;
  const ca = (typeof options.ca === 'string' && options.ca !== '') || (process.env.SYNC_PEER_CA ?? '') !== '';
  return { ca, plainHttpUrl: typeof url === 'string' && /^http:\/\//i.test(url), portHint: typeof url === 'string' ? defaultPortHint(url, 'the server') : undefined, token: tokenGiven(options.token) };
}

/**
 * A failure as the command line reports it: a SyncError's code, Node's
 * (`ECONNREFUSED` and a certificate's, with a hint; `EPROTO` from a plain-HTTP
 * server asked with `https://`, with the hint to use `http://`), `PEER_TIMEOUT` (with the address to check and `--timeout`),
 * `PEER_BAD_ANSWER` for an answer Node's HTTP parser refused (`HPE_…`, as the sync client says it),
 * `BAD_USAGE` for a command line commander refused, else `SYNC_FAILED`.
 * A 404 gets the hint to check `--url` only from a command that talks to a
 * server; a local file that is missing (`backup --db`) is named as it is.
 * A certificate not trusted although a CA was given says the CA given did not
 * sign it; a refused token (`UNAUTHORIZED`) is named by where it came from
 * (`--token` or `SYNC_TOKEN`) and whether quotes wrap it; a connection cut before any answer from an `http://` URL asks
 * whether the server speaks HTTPS, one cut in the middle of an answer says so.
 * @param command - the command that failed (`status`, `backup`…), when known
 * @param given - what the command line was given (see {@link givenOf})
 */
export function cliFailure(error: unknown, command?: string, given: CliGiven = {}): { readonly code: string; readonly message: string } {
  if (error instanceof CommanderError) return { code: 'BAD_USAGE', message: error.message.replace(/^error: /, '') };
  const { code, message } = rawFailure(error);
  const plain = message.replace(/^express-sqlite-sync: /, '');
  const urlFlag = command === 'join' ? '--from' : '--url (--from for join)';
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    if (given.ca === true) return { code, message: `${plain}: the server's certificate is not signed by the CA certificate of --ca (or SYNC_PEER_CA); pass the CA certificate that signed it (for a self-signed one, the certificate itself)` };
    return { code, message: `${plain}: pass --ca <file> (or set SYNC_PEER_CA) with the server's CA certificate` };
  }
  if (code === WRONG_HOST_CERTIFICATE_CODE) return { code, message: `${plain}: ${wrongHostFix(error).replace('the peer', 'the server')}, in ${urlFlag}` };
  if (isPlainHttpAnswer(code, message)) return { code, message: `${plain.trim()}: the server answered in plain HTTP? use http:// in ${urlFlag}` };
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser refused the answer's bytes: the sync client's /status and log name this PEER_BAD_ANSWER too.
    return { code: 'PEER_BAD_ANSWER', message: `the server answered something that is not HTTP (${plain}): a device between (a proxy, a captive portal) or a broken link garbled it, or ${urlFlag} names a server that does not speak HTTP; check ${urlFlag} and try again` };
  }
  if (code === 'UNAUTHORIZED' && given.token !== undefined) {
    const { from, quote } = given.token;
    const quoted = quote === undefined ? '' : ` (it starts and ends with ${quote}: if the quotes are not part of the token, as an env file, a compose file or docker -e may keep them, remove them)`;
    return { code, message: `${plain}. The token sent is the one of ${from}${quoted}; it must be one of the server's tokens (its \`token\`, SYNC_TOKEN in the sample app)` };
  }
  const remote = command === undefined || REMOTE_COMMANDS.has(command);
  if (remote && error instanceof SyncError && error.status === 404 && (code === 'NOT_FOUND' || code === 'PEER_ERROR')) {
    return { code, message: `${plain}. Is ${urlFlag} the server's sync API? Its URL is usually http://host:port/api/sync, or just http://host:port` };
  }
  const localFlag = command === undefined ? undefined : LOCAL_FILE_FLAGS.get(command);
  if (localFlag !== undefined && code === 'NOT_FOUND') return { code, message: `${plain}: check the path given to ${localFlag}` };
  if (UNREACHABLE_CODES.has(code) && isAnswerCutOff(error)) {
    // It was reached and answered: neither "is it running?" nor "does it speak HTTPS?" applies.
    const what = plain === 'aborted' ? 'the server began to answer, then the connection was closed' : plain;
    return { code, message: `${what} (the server restarting, a proxy, or the network dropping); try again` };
  }
  if (code === 'PEER_TIMEOUT') {
    // The server took the request and said nothing (or too little) for --timeout: the address, or a slow link.
    const flag = urlFlag.split(' ')[0] ?? urlFlag;
    if (/broke off after [1-9]\d* bytes/.test(plain)) {
      return { code, message: `${plain}: the server stopped sending in the middle of its answer (a link that drops packets, a server that hung); try again, and on a slow link give it longer with --timeout <ms>` };
    }
    return { code, message: `${plain}: is the server running, and is ${flag} its address? A host that is not it may take the request and never answer. On a slow link, or a server busy with a large database, give it longer with --timeout <ms>` };
  }
  if (UNREACHABLE_CODES.has(code) && code !== 'PEER_TIMEOUT') {
    const port = code === 'ECONNREFUSED' && given.portHint !== undefined ? ` ${given.portHint.charAt(0).toUpperCase()}${given.portHint.slice(1)}` : '';
    const https = code === 'ECONNRESET' && given.plainHttpUrl === true ? ' Or does it speak HTTPS? then use https://' : port;
    return { code, message: `${plain}: is the server running, and is ${urlFlag} its address?${https}` };
  }
  return { code, message: plain };
}

if (require.main === module) {
  dropWritesOnClosedPipe(process.stdout); // `status | head -1`
  dropWritesOnClosedPipe(process.stderr);
  const program = buildProgram();
  program
    .parseAsync()
    .catch((error: unknown) => {
      if (error instanceof CommanderError && error.exitCode === 0) return; // --help, --version
      const { code, message } = cliFailure(error, program.args[0], givenOf(program, program.args[0]));
      // commander printed its own usage error already
      // A server's words in it reach the terminal as text: no control character, no text-direction control.
      if (!(error instanceof CommanderError)) process.stderr.write(`express-sqlite-sync: ${printableLines(message)}\n`);
      // With --json, a script reading stdout gets the failure in the API's error shape too.
      if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
      process.exitCode = 1;
    });
}
