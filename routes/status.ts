import { normalizePeerUrl } from '../lib/peers/client-options';
import { DEFAULTS } from '../lib/defaults';
import express, { Router, type Request, type Response } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { formatMetrics, formatNameMetrics } from '../lib/peers/metrics';
import type { SyncClient } from '../lib/peers/sync-client';
import type { HeldDeletion, PeerSyncResult, SyncProgress, SyncStatus } from '../lib/peers/sync-status';
import type { RefusalLog } from '../lib/refusal-log';
import { refuseUnreadBodyCoding } from '../middleware/body-coding';
import { refuseJsonBodyReadBefore } from '../middleware/body-read-before';
import { boundedJsonBody } from '../middleware/bounded-json';
import { cutStalledBody } from '../middleware/stall';
import type { SyncLogger } from '../lib/logger';
import { SyncError } from '../lib/sync-error';
import { rawQueryValues, readRawQuery } from '../lib/files/raw-query';
import { ProgressFanout } from './progress-fanout';
import { refuseRunBody, runBodyReaders } from './run-body';
import type { NameReport } from '../lib/files/name-report';

/** What the status routes read. */
export interface StatusConfig {
  /** This server's name, when it has one. */
  readonly name: string | undefined;
  /** The sync client, when this server has peers. */
  readonly client: SyncClient | undefined;
  /** This server's data, when it syncs data. */
  readonly tracker: ChangeTracker | undefined;
  /** The requests this server refused lately. */
  readonly refusals: RefusalLog;
  /** What the scans found wrong with file names; undefined for a caller that has no files. */
  readonly names?: NameReport;
  /** Ms the body of `POST /deletions/confirm` or `POST /run` may bring no byte before its connection is cut. @defaultValue `DEFAULTS.sendStallMs` (60000) */
  readonly sendStallMs?: number;
  /** Where a cut is logged (`upload.abandoned`). */
  readonly logger?: SyncLogger;
}

/** The figures of `GET /status`, read under the tracker's reading guard; `dataError` is set by {@link currentStatus}. */
function statusFigures(config: StatusConfig): SyncStatus {
  const client = config.client;
  return {
    name: config.name ?? null,
    site: config.tracker?.siteId ?? null,
    seq: config.tracker?.currentSeq() ?? null,
    conflicts: config.tracker?.conflictCount() ?? 0,
    peers: client?.peerStatuses() ?? [],
    heldDeletions: client?.heldDeletions() ?? [],
    fileConflicts: client?.recentFileConflicts() ?? [],
    refusals: config.refusals.recent(),
    transports: client?.transportStatuses() ?? [],
    identityChange: config.tracker?.lastIdentityChange ?? null,
    dataError: null,
    fileNameProblems: config.names?.list() ?? [],
    fileConflictCopies: config.names?.conflictCopies() ?? [],
  };
}

/**
 * The body of `GET /status` (and the figures of `/metrics`), built here only: every field present, `null` when
 * unknown; `dataError` (`{ code, message }`) while this server's data sync is stopped by a tracked table changed
 * while it runs (`SCHEMA_CHANGED`), or by an app trigger refusing the settling of local writes at every fold
 * (`APPLY_REFUSED`): the figures are still answered, with the seq folded before.
 */
function currentStatus(config: StatusConfig): SyncStatus {
  const tracker = config.tracker;
  if (tracker === undefined) return statusFigures(config);
  const { value, problem } = tracker.readingStatus(() => statusFigures(config));
  return problem === undefined ? value : { ...value, dataError: { code: problem.code, message: problem.message } };
}

/** The gauge `express_sqlite_sync_data_stopped` (1 while `dataError` is set: data sync stopped, e.g. `SCHEMA_CHANGED`), for a server that syncs data. */
function dataStoppedMetric(config: StatusConfig, status: SyncStatus): string {
  if (config.tracker === undefined) return '';
  const name = 'express_sqlite_sync_data_stopped';
  const sample = status.dataError === null ? `${name} 0` : `${name}{code="${status.dataError.code}"} 1`;
  return `# HELP ${name} 1 while this server's data sync is stopped (a tracked table changed while it runs, or an app trigger refuses every fold: see GET /status dataError).\n# TYPE ${name} gauge\n${sample}\n`;
}

/** 200 when every peer synced, 207 when some failed, 502 when all failed. */
export function runStatus(results: readonly PeerSyncResult[]): number {
  const failed = results.filter((result) => !result.ok).length;
  if (failed === 0) return 200;
  return failed === results.length ? 502 : 207;
}

/**
 * Whether `POST /run` streams: `stream=ndjson` given once. Left out, the run answers JSON; given twice, with
 * another value, as `stream[]=` or `stream[x]=`, or not UTF-8, it is refused, never run unstreamed; so is
 * any other query parameter.
 * @throws SyncError `BAD_REQUEST` (400)
 */
function streamedRun(url: string): boolean {
  const names = Object.keys(readRawQuery(url));
  const malformed = names.find((name) => name.startsWith('stream['));
  const refusal = (given: string): SyncError => new SyncError('BAD_REQUEST', 400, `\`stream\` must be given once, as stream=ndjson, or left out (given ${given.slice(0, 80)}; nothing was run)`);
  if (malformed !== undefined) throw refusal(JSON.stringify(malformed));
  // `peer=` read as "sync this one", a typo of `stream`: never ignored, or every peer is synced as if the request were right.
  const unknown = names.find((name) => name !== 'stream');
  if (unknown !== undefined) throw new SyncError('BAD_REQUEST', 400, `unknown query parameter ${JSON.stringify(unknown.slice(0, 80))}: POST /run takes only stream=ndjson, and syncs every peer (nothing was run)`);
  const values = rawQueryValues(url, 'stream');
  if (values.length === 0) return false;
  if (values.length > 1 || values[0] !== 'ndjson') throw refusal(values.map((value) => JSON.stringify(value)).join(', '));
  return true;
}

async function runNow(config: StatusConfig, progress: ProgressFanout | undefined, req: Request, res: Response): Promise<void> {
  const client = config.client;
  const streamed = streamedRun(req.originalUrl);
  refuseRunBody(req.body as unknown); // `{ "peer": … }` was ignored, and every peer synced
  // Refused before an NDJSON answer's headers go: a sync asked for while stop() runs would not be waited for.
  if (client?.stopping === true) await client.syncAll(); // rejects with STOPPED (503)
  if (!streamed) {
    const results = client === undefined ? [] : await client.syncAll();
    res.status(runStatus(results)).json({ results });
    return;
  }
  res.status(200).type('application/x-ndjson');
  res.flushHeaders();
  let last: string | undefined;
  let quiet = true;
  const onProgress = (progress: SyncProgress): void => {
    last = `${JSON.stringify({ type: 'progress', progress })}\n`;
    quiet = false;
    res.write(last);
  };
  // A long phase (a snapshot, a large file) sends no progress for a while: its last line is repeated.
  const keepAlive = setInterval(() => {
    if (quiet && last !== undefined) res.write(last);
    quiet = true;
  }, DEFAULTS.runKeepAliveMs);
  const unsubscribe = progress?.subscribe(onProgress);
  try {
    const results: PeerSyncResult[] = client === undefined ? [] : await client.syncAll();
    res.end(`${JSON.stringify({ type: 'results', results })}\n`);
  } finally {
    clearInterval(keepAlive);
    unsubscribe?.();
  }
}

/** A peer URL as the client knows it (`http://host:port` means its `/api/sync`). */
function peerUrlOf(peer: string): string {
  try {
    return normalizePeerUrl(peer);
  } catch (error) {
    throw new SyncError('BAD_REQUEST', 400, error instanceof Error ? error.message.replace(/^express-sqlite-sync: /, '') : 'bad peer URL');
  }
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new SyncError('BAD_REQUEST', 400, `\`${name}\` must be a non-empty string (leave it out to confirm for every ${name})`);
  }
  if (value.length > 4096) throw new SyncError('BAD_REQUEST', 400, `\`${name}\` is ${value.length} characters long; at most 4096 are taken`);
  return value;
}

const CONFIRM_KEYS = new Set(['peer', 'root']);

/**
 * The filter of a confirmation: only a JSON body `{ peer?, root? }`, or no
 * body at all, may confirm; anything else is refused, so a mistyped request
 * never confirms every held deletion.
 * @throws SyncError `UNSUPPORTED_MEDIA_TYPE` (415) for a body that is not JSON; `BAD_REQUEST` (400) for query parameters, unknown keys, empty values
 */
function confirmFilter(req: Request): { readonly peer: string | undefined; readonly root: string | undefined } {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && req.is('application/json') !== 'application/json') throw new SyncError('UNSUPPORTED_MEDIA_TYPE', 415, 'send `{ "peer"?, "root"? }` as JSON with `Content-Type: application/json`, or no body to confirm every held deletion');
  if (Object.keys(readRawQuery(req.originalUrl)).length > 0) throw new SyncError('BAD_REQUEST', 400, '`peer` and `root` go in the JSON body, not the query');
  const raw: unknown = req.body;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new SyncError('BAD_REQUEST', 400, 'the body must be a JSON object { "peer"?: "<url>", "root"?: "<name>" }, or empty to confirm every held deletion');
  }
  const body = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(body).find((key) => !CONFIRM_KEYS.has(key));
  if (unknown !== undefined) throw new SyncError('BAD_REQUEST', 400, `unknown field ${JSON.stringify(unknown).slice(0, 80)}: the body takes only "peer" and "root"`);
  const peer = optionalText(body, 'peer');
  return { peer: peer === undefined ? undefined : peerUrlOf(peer), root: optionalText(body, 'root') };
}

/**
 * `NOTHING_HELD` (404), naming what is held now when the filter matched none of it (a mistyped root, a URL
 * that is not one of this server's peers): "nothing is held" would send the operator away while files wait.
 */
function nothingHeld(filter: { readonly peer: string | undefined; readonly root: string | undefined }, held: readonly HeldDeletion[]): SyncError {
  if (held.length === 0) return new SyncError('NOTHING_HELD', 404, 'no deletions are held back; see GET status');
  const asked = [filter.peer === undefined ? '' : `peer ${filter.peer}`, filter.root === undefined ? '' : `root ${JSON.stringify(filter.root)}`].filter((part) => part !== '').join(' and ');
  const now = held.slice(0, 5).map((entry) => `root ${JSON.stringify(entry.root)} with peer ${entry.peer}`).join('; ');
  return new SyncError('NOTHING_HELD', 404, `no deletions are held back for ${asked}; held back now: ${now}${held.length > 5 ? `; … and ${held.length - 5} more` : ''} (see GET status)`);
}

/**
 * `POST /deletions/confirm` `{ peer?, root? }`: confirms the deletions the
 * mass-delete guard holds back (all of them, a peer's, or a root's), then
 * syncs the peers concerned now and answers what was confirmed and the results.
 */
async function confirmDeletions(config: StatusConfig, req: Request, res: Response): Promise<void> {
  const filter = confirmFilter(req);
  // Nothing is confirmed while the node stops: its sync would be refused, and the confirmation kept for a round that may never come.
  if (config.client?.stopping === true) await config.client.syncAll(); // rejects with STOPPED (503)
  const confirmed = config.client?.confirmDeletions(filter) ?? [];
  if (confirmed.length === 0) throw nothingHeld(filter, config.client?.heldDeletions() ?? []);
  const peers = [...new Set(confirmed.map((entry) => entry.peer))];
  const results = await Promise.all(peers.map((peer) => (config.client as SyncClient).syncPeer(peer)));
  res.json({ confirmed, results }); // confirmed either way; each sync's outcome is in its result
}

/** Largest body of `POST /deletions/confirm`. */
const CONFIRM_BODY_BYTES = 16 * 1024;

/**
 * `GET /status` (JSON), `POST /run` (sync with every peer now: 200, or 207
 * when some peers failed, 502 when all did; NDJSON progress lines then the
 * results with `?stream=ndjson`; a repeated or malformed `stream` is 400
 * `BAD_REQUEST`; 503 `STOPPED` while the client's `stop()` runs), `POST /deletions/confirm` and `GET /metrics` (Prometheus text).
 */
export function createStatusRouter(config: StatusConfig): Router {
  const router = Router();
  const progress = config.client === undefined ? undefined : new ProgressFanout(config.client);
  router.get('/status', (_req, res) => {
    res.json(currentStatus(config));
  });
  // The query is refused (400) before a byte of the body is read, as it was before /run read one.
  const runQuery = (req: Request, _res: Response, next: () => void): void => {
    streamedRun(req.originalUrl);
    next();
  };
  router.post('/run', runQuery, ...runBodyReaders(config.sendStallMs, config.logger), (req, res) => runNow(config, progress, req, res));
  // An app's express.raw()/text() in front is refused before this router's own parser runs (say so, not "unknown field \"0\""):
  // after it, a JSON string body (`"x"`, parsed as such with `strict: false`) would look like express.text()'s work.
  const json = boundedJsonBody(express.json({ limit: CONFIRM_BODY_BYTES, strict: false }), CONFIRM_BODY_BYTES);
  const body = cutStalledBody(json, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger); // a client gone half-open mid-body is cut
  const coding = refuseUnreadBodyCoding(); // deflate, or any coding but gzip and br: 415 before the parser reads a byte
  router.post('/deletions/confirm', refuseJsonBodyReadBefore(), coding, body, (req, res) => confirmDeletions(config, req, res));
  router.get('/metrics', (_req, res) => {
    const status = currentStatus(config);
    res.type('text/plain; version=0.0.4').send(formatMetrics(status, config.client?.totals() ?? new Map(), config.refusals.counts()) + dataStoppedMetric(config, status) + (config.names === undefined ? '' : formatNameMetrics(config.names.counts())));
  });
  return router;
}
