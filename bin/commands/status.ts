import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { syncStatusCheck, type SyncStatusSchema } from '../../lib/peers/status-schema';
import { confirmDeletionsLine, namedServer, type NamedServer } from './confirm-line';
import { oneLine, printableLines, remoteServer, type RemoteOptions } from './remote';
import { conflictCopyLines, fileNameLines } from './status-names';

type Status = Static<typeof SyncStatusSchema>;
type Peer = Status['peers'][number];
type Transport = NonNullable<Status['transports']>[number];

const Text = Type.String({ maxLength: 65536 });
/** One file error of a peer's last round (`peers[].lastResult.fileErrors[]`), as `status` prints it. */
const fileErrorCheck = TypeCompiler.Compile(Type.Object({ path: Text, code: Text, message: Text }));
/** One recent file conflict (`fileConflicts[]`), as `status` prints it. */
const fileConflictCheck = TypeCompiler.Compile(Type.Object({ path: Text, copyPath: Text, peer: Text }));

/** Lines printed per list (file errors, file conflicts) of one peer; the rest is counted. */
const SHOWN_PER_LIST = 5;

/** The entries of `list` that `check` accepts: a server's extra or odd entries are skipped, never fatal. */
function entriesOf<T>(list: unknown, check: { Check(value: unknown): value is T }): T[] {
  return Array.isArray(list) ? list.filter((entry): entry is T => check.Check(entry)) : [];
}

/** `lines`, at most {@link SHOWN_PER_LIST} of them, then "… and N more" of `total` (the lines given may be the first of more). */
function bounded(lines: readonly string[], total = lines.length): string[] {
  const shown = lines.slice(0, SHOWN_PER_LIST);
  const more = Math.max(total, lines.length) - shown.length;
  return more > 0 ? [...shown, `    … and ${more} more`] : shown;
}

/** The file errors of a last round: `fileErrorCount`, or as many as listed (a server before it listed them all, or a garbled count). */
function fileErrorTotal(lastResult: { fileErrorCount?: unknown } | undefined, listed: number): number {
  const count = lastResult?.fileErrorCount;
  return typeof count === 'number' && Number.isSafeInteger(count) && count > listed ? count : listed;
}

/**
 * The file errors of the peer's last round (`lastResult.fileErrors`, counted by `fileErrorCount`) and the
 * recent file conflicts with it (`fileConflicts` of `/status`), a few lines each.
 */
function peerFileLines(peer: Peer, conflicts: unknown): string[] {
  const lastResult = (peer as { lastResult?: { fileErrors?: unknown; fileErrorCount?: unknown } }).lastResult;
  const errors = entriesOf(lastResult?.fileErrors, fileErrorCheck);
  const errorTotal = fileErrorTotal(lastResult, errors.length);
  const kept = entriesOf(conflicts, fileConflictCheck).filter((conflict) => conflict.peer === peer.url);
  const lines: string[] = [];
  if (errorTotal > 0) {
    lines.push(`  file errors in the last round (${errorTotal}), retried at the next sync:`);
    lines.push(...bounded(errors.map((error) => oneLine(`    ${error.path}: ${error.code}: ${error.message}`)), errorTotal));
  }
  if (kept.length > 0) {
    lines.push(`  recent file conflicts (${kept.length}), both versions kept:`);
    lines.push(...bounded(kept.map((conflict) => oneLine(`    ${conflict.path} (this server's) and ${conflict.copyPath} (the peer's)`))));
  }
  return lines;
}

/** One warning of a peer's last round (`peers[].lastResult.warnings[]`: a root the peer does not have), as `status` prints it. */
const warningCheck = TypeCompiler.Compile(Type.Object({ code: Text, root: Text, message: Text }));

/** The warnings of the peer's last round (`lastResult.warnings`), one line each (a server before them has none). */
function peerWarningLines(peer: Peer): string[] {
  const warnings = entriesOf((peer as { lastResult?: { warnings?: unknown } | null }).lastResult?.warnings, warningCheck);
  return bounded(warnings.map((warning) => oneLine(`  warning: ${warning.code} ${warning.root}: ${warning.message}`)));
}

/** A `/status` field that is known: this version answers `null` for an unknown one, servers before it left it out. */
function known<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** Epoch ms of a server's time, or undefined for text that is no date. */
function epochOf(iso: string): number | undefined {
  const at = Date.parse(iso);
  return Number.isFinite(at) ? at : undefined;
}

/** How far ahead of the server's clock a past event may seem before it is said to be (its `Date` header has whole seconds). */
const AHEAD_TOLERANCE_MS = 60_000;

function ago(iso: string | null | undefined, now: number): string {
  if (!known(iso)) return 'never';
  const at = epochOf(iso);
  if (at === undefined) return 'unknown';
  // Recorded while a clock was ahead (set wrong, then fixed): not "0s ago", which would hide a peer silent since.
  if (at - now > AHEAD_TOLERANCE_MS) return `${iso} (ahead of the server's clock: a clock was wrong when it was recorded)`;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 120 * 60) return `${Math.round(seconds / 60)} min ago`;
  // Hours, then days: not "4320 min ago".
  return seconds < 48 * 3600 ? `${Math.round(seconds / 3600)} h ago` : `${Math.round(seconds / 86_400)} days ago`;
}

function until(iso: string | null | undefined, now: number): string {
  if (!known(iso)) return '';
  const at = epochOf(iso);
  if (at === undefined) return '   next try unknown';
  return `   next try in ${Math.max(0, Math.round((at - now) / 1000))}s`;
}

function peerLine(peer: Peer, now: number): string {
  const who = known(peer.name) ? `${peer.name} (${peer.url})` : peer.url;
  // A peer being retried is still failing until this try succeeds: say so, as the status page does (a peer that no
  // longer answers waits peerTimeoutMs each try, so it is "syncing" most of the time).
  const retried = known(peer.lastError) ? ` (failed ${peer.failures}× before): ${peer.lastError}` : '';
  const state = peer.running ? `syncing${retried}` : known(peer.lastError) ? `${peer.state ?? 'failing'} (${peer.failures}×): ${peer.lastError}` : (peer.state ?? 'ok');
  const undelivered = known(peer.undeliveredChanges) ? `   not yet delivered ${peer.undeliveredChanges}` : '';
  // Measured at the last handshake: a peer gone for days still shows what it had then, so say when.
  const lag = known(peer.lagChanges) ? `   not yet received ${peer.lagChanges}${known(peer.lastContactAt) ? ` (as of ${ago(peer.lastContactAt, now)})` : ''}` : '';
  const skew = known(peer.clockSkewMs) ? `   clock skew ${peer.clockSkewMs} ms` : '';
  const filesOnly = peer.filesOnly === true ? '   files only (the peer runs without a database: no data syncs with it)' : '';
  return `- ${who}   last success ${ago(peer.lastSuccessAt, now)}   ${state}${filesOnly}${undelivered}${lag}${skew}${known(peer.lastError) ? until(peer.nextRunAt, now) : ''}`;
}

/** A transport other than the HTTP peers (NATS): its state, position, lag, what waits to be published, and its last error. */
function transportLines(transport: Transport): string[] {
  const unpublished = transport.nats?.unpublished;
  const facts = [transport.state, ...(known(transport.position) ? [`position ${transport.position}`] : []), ...(known(transport.lag) ? [`lag ${transport.lag}`] : [])];
  if (unpublished !== undefined) facts.push(`not yet published ${unpublished}`);
  const lines = [`- ${transport.name}   ${facts.join('   ')}`];
  if (known(transport.lastError)) lines.push(oneLine(`  ! ${transport.lastError.code}: ${transport.lastError.message}`));
  return lines;
}

/**
 * Formats a status answer for a terminal.
 * @param server - the server, as the operator named it (its URL, and its `--ca`), in the commands it suggests
 * @param now - the server's time, epoch ms, that "30s ago" and "next try in 40s" are told by (see {@link serverNow})
 */
export function formatStatus(status: Status, server: string | NamedServer = '<this server>', now = Date.now()): string {
  const lines = [`${known(status.name) ? `${status.name}   ` : ''}site ${status.site ?? '(no data sync)'}   seq ${status.seq ?? '-'}   conflicts ${status.conflicts}`];
  const others = (status.transports ?? []).filter((transport) => transport.kind !== 'http'); // HTTP ones are the peers
  if (status.peers.length === 0 && others.length === 0) lines.push('no peers configured (SYNC_PEERS)');
  const conflicts = (status as { fileConflicts?: unknown }).fileConflicts;
  for (const peer of status.peers) lines.push(peerLine(peer, now), ...peerWarningLines(peer), ...peerFileLines(peer, conflicts));
  for (const transport of others) lines.push(...transportLines(transport));
  if (known(status.dataError)) lines.push(`! DATA SYNC STOPPED: ${status.dataError.code}: ${oneLine(status.dataError.message)}`);
  const changed = status.identityChange;
  if (known(changed)) {
    lines.push(`! IDENTITY ${changed.code} at ${changed.at}: ${changed.detail}; took the new site id ${changed.current} (was ${changed.previous}) by itself. Its rows are sent again; nothing to do.`);
  }
  lines.push(...fileNameLines(status), ...conflictCopyLines(status));
  const held = status.heldDeletions ?? [];
  held.forEach((entry) => {
    const where = entry.side === 'here' ? 'on this server' : `on ${entry.peer}`;
    lines.push(`! HELD: syncing ${entry.root} with ${entry.peer} would delete ${entry.count} of ${entry.files} files ${where} (${entry.percent}%); every file is kept.`);
    // A root is held, and confirmed, as a whole: one command for both sides of it, after the last of them.
    const bothSides = held.filter((other) => other.peer === entry.peer && other.root === entry.root);
    if (bothSides.at(-1) !== entry) return;
    const what = bothSides.length > 1 ? 'If both are intended (one confirmation takes both sides)' : 'If that is intended';
    lines.push(`  ${what}: ${confirmDeletionsLine(server, entry)}`);
  });
  return lines.map(oneLine).join('\n'); // each is one line: a line break in a server's text (a name, an error) cannot forge one
}

/**
 * The server's time now, from the `Date` header of its answer (whole seconds: the middle of that
 * second), moved on by the time since; this machine's clock without one. The times in `/status`
 * are the server's: told by a laptop's clock 10 min behind, "30 s ago" read "-570s ago".
 */
export function serverNow(dateHeader: string | undefined, receivedAt: number, now = Date.now()): number {
  const at = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
  return Number.isFinite(at) ? at + 500 + (now - receivedAt) : now;
}

/** `status`: prints a server's sync status. */
export async function statusCommand(options: RemoteOptions & { readonly json?: boolean }): Promise<void> {
  const server = remoteServer(options);
  try {
    const response = await server.request('GET', 'status');
    const receivedAt = Date.now();
    const status = await server.readAnswer(response, syncStatusCheck, 'GET status');
    const date = typeof response.headers.date === 'string' ? response.headers.date : undefined;
    process.stdout.write(`${options.json === true ? JSON.stringify(status, null, 2) : printableLines(formatStatus(status, namedServer(options), serverNow(date, receivedAt)))}\n`);
    if (known(status.dataError)) process.exitCode = 2; // data sync is stopped here: a script must notice
  } finally {
    server.close();
  }
}
