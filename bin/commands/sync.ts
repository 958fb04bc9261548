import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CLI_COMMAND } from '../../lib/cli-command';
import { DEFAULTS } from '../../lib/defaults';
import { htmlPageRefusal, readPeerError } from '../../lib/peers/peer-answer';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { runLineCheck, type RunProgressLineSchema, type RunResultSchema } from '../../lib/peers/status-schema';
import { SyncError } from '../../lib/sync-error';
import { confirmDeletionsLine, namedServer, type NamedServer } from './confirm-line';
import { exitOnSignal } from './interrupt';
import { oneLine, printableLines, remoteServer, type RemoteOptions } from './remote';

type RunResult = Static<typeof RunResultSchema>;
type RunProgress = Static<typeof RunProgressLineSchema>['progress'];

/** The most file errors or conflicts listed per peer; the rest are counted. */
const LISTED = 5;

/** One indented line per item, the first {@link LISTED}, then how many more of `total` (the items given may be the first of more). */
function listed<T>(items: readonly T[], line: (item: T) => string, total = items.length): string {
  const shown = items.slice(0, LISTED).map((item) => `\n  ${printableLines(oneLine(line(item)))}`);
  const more = Math.max(total, items.length) - shown.length;
  return shown.join('') + (more > 0 ? `\n  … and ${more} more (${CLI_COMMAND} status, or GET /status)` : '');
}

/** One warning of a round (`warnings[]`: a root the peer does not have), as `sync` prints it. */
const WarningSchema = Type.Object({ code: Type.String({ maxLength: 65536 }), root: Type.String({ maxLength: 65536 }), message: Type.String({ maxLength: 65536 }) });
const warningCheck = TypeCompiler.Compile(WarningSchema);

/** A result's warnings that are `{ code, root, message }`: a server before them has none, another kind of warning is skipped, never fatal. */
function warningsOf(result: PeerSyncResult | RunResult): Array<Static<typeof WarningSchema>> {
  const list = (result as { warnings?: unknown }).warnings;
  return Array.isArray(list) ? list.filter((entry): entry is Static<typeof WarningSchema> => warningCheck.Check(entry)) : [];
}

/**
 * Formats one peer's result as a line, then the files that need a look.
 * @param server - the server, as the operator named it (its URL, and its `--ca`), in the command that confirms held deletions
 */
export function formatResult(result: PeerSyncResult | RunResult, server: string | NamedServer = '<this server>'): string {
  const counts = `rows ↓${result.rowsPulled} ↑${result.rowsPushed}   files ↓${result.filesDown} ↑${result.filesUp} ✗${result.filesDeleted}   conflicts ${result.dataConflicts + result.fileConflicts.length}   ${Math.round(result.durationMs)} ms`;
  // Files that did not sync this round (a folder here where the peer has a file, say) keep the servers apart until fixed.
  const errors = result.fileErrors ?? [];
  // `fileErrors` lists the round's first errors; `fileErrorCount` counts them all (a server before it listed them all).
  const errorCount = Math.max(result.fileErrorCount ?? 0, errors.length);
  const failed = listed(errors, (error) => `! FILE NOT SYNCED: ${error.path}: ${error.code}: ${error.message}`, errorCount);
  // A line break in the server's text (a peer, an error) cannot make a line of its own.
  if (!result.ok) return `${oneLine(`✘ ${result.peer}   ${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`)}${failed}`;
  // A root whose deletions the mass-delete guard held was left as it was: say so, with the way out.
  const heldDeletions = result.heldDeletions ?? [];
  // Which server would lose the files, as `status` says it: confirming deletes them there. A root is confirmed as a whole, both sides at once.
  const held = heldDeletions.map((entry) => {
    const where = entry.side === 'here' ? 'on this server' : `on ${entry.peer}`;
    const bothSides = heldDeletions.filter((other) => other.root === entry.root);
    const way = bothSides.at(-1) !== entry ? '' : ` ${bothSides.length > 1 ? 'If both are intended (one confirmation takes both sides)' : 'If that is intended'}: ${confirmDeletionsLine(server, entry)}`;
    return `\n  ${oneLine(`! HELD: syncing ${entry.root} would delete ${entry.count} of ${entry.files} files ${where} (${entry.percent}%); every file is kept.${way}`)}`;
  });
  const copies = listed(result.fileConflicts, (conflict) => `conflict: ${conflict.path ?? '?'} changed on both sides; the peer's version kept as ${conflict.copyPath ?? '?'}`);
  // What the round could not do without failing (a root the peer does not have), as `status` says it.
  const warnings = listed(warningsOf(result), (warning) => `warning: ${warning.code} ${warning.root}: ${warning.message}`);
  return `${oneLine(`${errorCount > 0 ? '⚠' : '✔'} ${result.peer}   ${counts}`)}${warnings}${held.join('')}${failed}${copies}`;
}

function badAnswer(detail: string): SyncError {
  return new SyncError('PEER_BAD_ANSWER', 502, `POST run?stream=ndjson: ${detail}`);
}

/** Passes a stream through, failing it when a line grows beyond `maxBytes` (a server that never ends its line). */
function boundedLines(maxBytes: number): Transform {
  let sinceNewline = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const last = chunk.lastIndexOf(10);
      sinceNewline = last < 0 ? sinceNewline + chunk.length : chunk.length - last - 1;
      done(sinceNewline > maxBytes ? badAnswer(`a line is longer than ${maxBytes} bytes`) : null, chunk);
    },
  });
}

/** Reads the NDJSON lines of a run, each checked, showing progress; resolves with the results line's results. */
async function readRun(body: Readable, onProgress: (progress: RunProgress) => void): Promise<readonly RunResult[]> {
  let results: readonly RunResult[] | undefined;
  const lines = body.pipe(boundedLines(DEFAULTS.maxPeerAnswerBytes));
  body.on('error', (error) => lines.destroy(error));
  for await (const text of createInterface({ input: lines })) {
    if (text.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      throw badAnswer('a line is not JSON');
    }
    if (!runLineCheck.Check(line)) throw badAnswer('a line is neither progress nor results');
    if (line.type === 'results') results = line.results;
    else onProgress(line.progress);
  }
  if (results === undefined) throw badAnswer('the stream ended without its results line');
  return results;
}

/**
 * Formats a run's results, one line per peer; a server without peers says so, as `status` does.
 * @param server - the server, as the operator named it (see {@link formatResult})
 */
export function formatResults(results: readonly RunResult[], server?: string | NamedServer): string {
  if (results.length === 0) return 'no peers configured (SYNC_PEERS)';
  return printableLines(results.map((result) => formatResult(result, server)).join('\n'));
}

/** `sync`: asks a server to sync with its peers now, showing progress, and prints the results; Ctrl-C (SIGINT) or SIGTERM stops the progress bars and exits with 130 (143). */
export async function syncCommand(options: RemoteOptions & { readonly json?: boolean }): Promise<void> {
  const server = remoteServer(options, true); // its run streams, paced by the server
  const bars = new MultiBar({ format: ' {bar} {peer} {phase} {value}/{total}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  const byPeer = new Map<string, SingleBar>();
  let results: readonly RunResult[];
  // Ctrl-C: the bars stop first, giving the terminal its cursor back (they hide it).
  const stopListening = exitOnSignal((signal) => {
    bars.stop();
    return `sync stopped by ${signal}; the server goes on with the round it started (see \`${CLI_COMMAND} status\`)`;
  });
  try {
    const response = await server.request('POST', 'run', { stream: 'ndjson' });
    if (response.status >= 300) throw await readPeerError(response, 'sync'); // a redirect too: never followed
    const page = htmlPageRefusal(response, `${new URL(server.url).origin} answered POST run`);
    if (page !== undefined) throw page; // a captive portal's login page is no progress stream
    results = await readRun(response.body, (progress) => showProgress(bars, byPeer, progress));
  } finally {
    stopListening();
    bars.stop();
    server.close();
  }
  process.stdout.write(`${options.json === true ? JSON.stringify(results, null, 2) : formatResults(results, namedServer(options))}\n`);
  if (results.some((result) => !result.ok)) process.exitCode = 2;
}

function showProgress(bars: MultiBar, byPeer: Map<string, SingleBar>, progress: RunProgress): void {
  const total = progress.total ?? Math.max(progress.done, 1);
  let bar = byPeer.get(progress.peer);
  if (bar === undefined) {
    bar = bars.create(total, progress.done, { peer: progress.peer, phase: progress.phase });
    byPeer.set(progress.peer, bar);
  }
  bar.setTotal(total);
  bar.update(progress.done, { phase: progress.phase });
}
