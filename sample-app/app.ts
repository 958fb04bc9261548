import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import express from 'express';
import { answerWrongMethods, boundedJsonBody, closeAfterUnreadBody, createDefaultLogger, createSyncNode, logRefusals, securityHeaders, SyncError, type SyncLogger, type SyncNode, type TransportOptions } from '../index';
import { SAMPLE_ROOTS } from './config';
import { apiErrorHandler, refuseCrossSiteWrites, requireJsonWrites } from './cross-site';
import { foldAfterWrites } from './fold-after-writes';
import { ensureInstanceSettings } from './instance-settings';
import { pageErrorHandler } from './pages/error-page';
import { createPages } from './pages/index';
import { createScoutingApi, type ParkedReportCheck } from './scouting-api';
import { SCOUTING_TABLES } from './scouting-schema';
import { characterCount, hasControlCharacter, hasDirectionControl, hasUtf8Form, hasVisibleCharacter } from './text';

/** What {@link createSampleApp} needs. */
export interface SampleAppOptions {
  /** The data directory holding the five sync roots. */
  readonly dataDir: string;
  /** The open database (see `openSampleDatabase`). */
  readonly db: Database.Database;
  /** The shared sync token. */
  readonly token: string;
  /** Where the sync router logs. */
  readonly logger?: SyncLogger;
  /** Peers' sync APIs to keep in step with. @defaultValue none */
  readonly peers?: readonly string[];
  /** CA certificate (PEM) to trust for peers with self-signed certificates. */
  readonly peerCa?: Buffer;
  /** This server's name on its peers' status pages. @defaultValue none */
  readonly name?: string;
  /** Transports besides the HTTP peers (`{ nats: { servers, stream } }` from `SYNC_NATS_URL`). @defaultValue none */
  readonly transport?: TransportOptions;
  /** How far ahead of this server's clock a received clock may be (`SYNC_MAX_CLOCK_SKEW_MS`). @defaultValue the library's (5 minutes) */
  readonly maxClockSkewMs?: number;
}

/** The sample app and its sync node (start it with `sync.start(intervalMs)`). */
export interface SampleApp {
  readonly app: express.Express;
  readonly sync: SyncNode;
}

/**
 * The sample app: the sync node under `/api/sync` with the five roots of the
 * data directory and the scouting tables, its peers, the scouting API under
 * `/api`, and the HTML pages (`/`, `/reports`, `/reports/new`, `/photos`).
 * Writes sent by another web site are refused everywhere, and the JSON API
 * takes JSON only.
 */
export function createSampleApp(options: SampleAppOptions): SampleApp {
  const { dataDir, db } = options;
  const logger = options.logger ?? createDefaultLogger();
  ensureInstanceSettings(dataDir, (options.peers ?? []).length > 0, logger);
  const roots = Object.fromEntries(SAMPLE_ROOTS.map((root) => [root, path.join(dataDir, root)]));
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders()); // on every answer, the 404 page and the cross-site refusal included
  const sync = createSyncNode({
    token: options.token,
    roots,
    logger,
    database: db,
    tables: SCOUTING_TABLES,
    peers: options.peers ?? [],
    peerCa: options.peerCa,
    name: options.name,
    transport: options.transport,
    maxClockSkewMs: options.maxClockSkewMs,
    stateDir: path.join(dataDir, '.sync-state'),
  });
  app.use('/api/sync', sync.router);
  // After the sync router, which refuses cross-site writes to its own paths itself and logs them (request.refused),
  // lists them in /status and counts them in /metrics: in front of it, this guard answered them unseen.
  app.use(refuseCrossSiteWrites());
  app.use(foldAfterWrites(sync.tracker, logger)); // the app's own writes: what they settle (a parked report back) shows at once
  app.use('/api', createApi(db, parkedReportCheck(sync)));
  // Its own refusals (a cross-site write, a body over the limit, a photo refused by the pages) logged as the sync router logs its:
  // request.refused, bounded per caller; one instance, so the pages (which end in their own error page) share its bound.
  const refusalLines = logRefusals(logger);
  app.use(createPages({ db, dataDir, logger, logRefusals: refusalLines }));
  // The app's own error middleware, for errors no router answered (a cross-site refusal), or
  // answered already (a sync 5xx, passed on once answered): JSON under /api, a page elsewhere.
  // An error answered while its body is still coming closes the connection after a bounded drain, as the sync router does.
  app.use(refusalLines);
  const closeUnread = closeAfterUnreadBody();
  app.use(closeUnread);
  app.use('/api', apiErrorHandler(logger));
  // A page no route has (a mistyped address) gets the app's readable page with a way back, not Express's bare text.
  app.use((req, _res, next) => {
    next(new SyncError('NOT_FOUND', 404, `there is no page at ${req.path}`));
  });
  app.use(closeUnread);
  app.use(pageErrorHandler(logger));
  return { app, sync };
}

/**
 * An app event from a JSON body: `{ kind?: string (1-100 characters, default "note"), detail?: string (at most 10,000) | null }`,
 * text with a UTF-8 form only (a lone surrogate has none) and no control character (`detail` may hold tabs and line breaks), as the scouting API's fields.
 * @throws SyncError `BAD_FIELD` (400) for anything else, naming the field
 */
function readEvent(body: unknown): { readonly kind: string; readonly detail: string | null } {
  const bad = (message: string): SyncError => new SyncError('BAD_FIELD', 400, message);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('send a JSON object: { "kind": "note", "detail": "…" }');
  const { kind = 'note', detail = null, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw bad(`unknown field ${JSON.stringify(unknown[0])}: an event has "kind" and "detail"`);
  if (typeof kind !== 'string' || !hasVisibleCharacter(kind) || characterCount(kind) > 100 || !hasUtf8Form(kind) || hasControlCharacter(kind, false) || hasDirectionControl(kind)) {
    throw bad('"kind" must be text of 1-100 characters showing something (with no lone surrogate, no control character and no text-direction control)');
  }
  if (detail !== null && (typeof detail !== 'string' || characterCount(detail) > 10_000 || !hasUtf8Form(detail) || hasControlCharacter(detail, true))) {
    throw bad('"detail" must be text of at most 10,000 characters (with no lone surrogate and no control character but tabs and line breaks), or null');
  }
  return { kind, detail };
}

/**
 * Largest JSON body the API takes (128 KiB): the longest report, match or event fits however its JSON is written,
 * every character escaped included (Python's `json.dumps` default): 10,000 emoji of notes are 120,000 bytes as `\ud83e\udd16`.
 */
const API_BODY_BYTES = 128 * 1024;

/** Whether a report is parked as a conflict, read from the node's conflicts (only on a `PATCH` or `DELETE` of a report not in the table). */
function parkedReportCheck(sync: SyncNode): ParkedReportCheck {
  return (id) => {
    const tracker = sync.tracker;
    if (tracker === undefined) return false;
    for (let after = '', page = tracker.listConflicts(after, 500); page.length > 0; after = page[page.length - 1]?.id ?? '', page = tracker.listConflicts(after, 500)) {
      if (page.some((entry) => entry.table === 'match_reports' && entry.parked.id === id)) return true;
    }
    return false;
  };
}

/** The JSON API: health, the scouting tables and app events; JSON bodies only; its errors go to the app's `apiErrorHandler`. */
function createApi(db: Database.Database, isParked: ParkedReportCheck): express.Router {
  const api = express.Router();
  const recordEvent = db.prepare('INSERT INTO app_events (id, at, kind, detail) VALUES (?, ?, ?, ?)');
  api.use(answerWrongMethods(api)); // 405 with Allow, read from the API's own routes
  api.use(requireJsonWrites());
  // Not strict: any JSON parses (`5`, `null`, `"x"`), so the routes refuse a body that is not an object with
  // BAD_FIELD, as documented; only text that is not JSON at all is MALFORMED_JSON. A body over the limit is
  // 413 BODY_TOO_LARGE before it is read (its Content-Length says so) or as soon as it grows past it (chunked).
  api.use(boundedJsonBody(express.json({ limit: API_BODY_BYTES, strict: false }), API_BODY_BYTES));
  api.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  api.use(createScoutingApi(db, isParked));
  api.post('/events', (req, res) => {
    const { kind, detail } = readEvent(req.body);
    const id = randomUUID();
    recordEvent.run(id, new Date().toISOString(), kind, detail);
    res.status(201).json({ id });
  });
  api.use((req, _res, next) => {
    next(new SyncError('NOT_FOUND', 404, `no API route ${req.method} ${req.path}`));
  });
  return api;
}
