import express, { Router, type Request, type Response } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import type { SnapshotSource } from '../lib/data/snapshot-source';
import type { SyncLogger } from '../lib/logger';
import { SyncError } from '../lib/sync-error';
import { MIN_COMPRESSED_BYTES } from '../lib/content-coding';
import { negotiateCoding } from './coding';
import { COMPACT_PROTOCOL, PROTOCOLS } from '../lib/data/compact-schema';
import { PageReadAhead } from './read-ahead';
import { sendSnapshot } from './snapshot';
import { refuseUnreadBodyCoding } from '../middleware/body-coding';
import { abandonWhenStalled, cutStalledBody } from '../middleware/stall';
import { refuseHead } from './allowed-methods';
import { DEFAULTS } from '../lib/defaults';
import { refuseJsonBodyReadBefore } from '../middleware/body-read-before';
import { dataQuery, readInteger, readPattern, refuseAnyQuery } from './data-query';
import { boundedJsonBody } from '../middleware/bounded-json';
import { noteJsonBodyBytes, refuseEmptyJsonBody } from '../middleware/empty-json-body';
import { drainLimitsOf } from '../middleware/lingering-close';
import type { StreamCoverage } from '../lib/peers/nats/stream-coverage';
import { PULL_TIMEOUT_HEADER, pushLandingWaitMs } from '../lib/data/pushes-in-flight';

/** What the data routes need, resolved once by the router factory. */
export interface DataRoutesConfig {
  /** The tracker over the app's database (see `enableCapture`). */
  readonly tracker: ChangeTracker;
  /** What this server holds of the NATS streams it reads, answered in `/data/info` (`nats`). @defaultValue none */
  readonly natsCoverage?: () => readonly StreamCoverage[];
  /** Largest changeset body accepted, in bytes (413 above); also bounds a resolution's body. */
  readonly maxChangesetBytes: number;
  /** Rows per page when `limit` is not given. */
  readonly changesPageSize: number;
  /** Largest `limit` accepted. */
  readonly maxChangesPageSize: number;
  /** Where `GET /snapshot` takes snapshots from; undefined when this server serves none. */
  readonly snapshots: SnapshotSource | undefined;
  /** Read the next page ahead while a peer applies this one (the benchmarks turn it off to measure it). @defaultValue true */
  readonly readAhead?: boolean;
  /** This server's name for people, answered in `/info` when set. */
  readonly name?: string;
  /**
   * The data protocols these routes speak (docs/PROTOCOL.md). Tests pass `[1]`
   * to play a server of an older version: `/info` lists no `protocols`,
   * `GET /changes` ignores `protocol`, `POST /changes` refuses protocol 2.
   * @defaultValue every protocol this code speaks
   */
  readonly protocols?: readonly number[];
  /** Ms a `GET /changes` page or a snapshot may take no byte, or a POST body bring none, before its connection is cut. @defaultValue `DEFAULTS.sendStallMs` for a page and a POST, `DEFAULTS.snapshotSendStallMs` for a snapshot (all 60000) */
  readonly sendStallMs?: number;
  /** Where an identity change of this server, and an abandoned answer, is logged. */
  readonly logger?: SyncLogger;
  /** After a body over `maxChangesetBytes` is refused at once, how many more bytes are read. @defaultValue `DEFAULTS.refusedBodyDrainBytes` */
  readonly refusedBodyDrainBytes?: number;
  /** After such a refusal, how long the connection lingers at most. @defaultValue `DEFAULTS.refusedBodyDrainMs` */
  readonly refusedBodyDrainMs?: number;
}

const SITE_ID = /^[0-9a-f]{32}$/;
const SIXTEEN_HEX = /^[0-9a-f]{16}$/;

/**
 * Sends a page, compressed (off the event loop, or ahead: see `PageReadAhead.body`) in the coding the
 * client asked for when it is large enough to pay. Once it is ready to send
 * (not while it is read or compressed), a client that takes no bytes of it
 * for `sendStallMs` is cut: a page may be MBs, never held for a client gone half-open.
 */
async function sendJson(req: Request, res: Response, json: Buffer, config: Pick<DataRoutesConfig, 'sendStallMs' | 'logger'>, pages: PageReadAhead): Promise<void> {
  const coding = json.length < MIN_COMPRESSED_BYTES ? 'identity' : negotiateCoding(req);
  const body = coding === 'identity' ? json : await pages.body(json, coding);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
  res.setHeader('Content-Length', String(body.length));
  abandonWhenStalled(req, res, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger);
  res.end(body); // no ETag: a page is read once
}

/** `GET /data/changes?since=&limit=&exclude_site=`: one page of changes and the next cursor. */
async function readChanges(config: DataRoutesConfig, pages: PageReadAhead, req: Request, res: Response): Promise<void> {
  const query = dataQuery(req, 'GET /data/changes', ['since', 'limit', 'exclude_site', 'protocol']);
  const since = readInteger(query.since, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
  const asked = readInteger(query.limit, 'limit', config.changesPageSize, 1, Number.MAX_SAFE_INTEGER);
  const limit = Math.min(asked, config.maxChangesPageSize); // a peer asking for more gets a full page of the largest size
  const exclude = readPattern(query.exclude_site, 'exclude_site', SITE_ID, 'a site id: 32 lowercase hexadecimal characters');
  // Push pages of ours on their way to the puller, or landed lately, carry the same changes: the pull starts after them.
  // A puller that tells its timeout (X-Sync-Timeout-Ms) waits half of it at most: it must not give up on this answer.
  const from = exclude === undefined ? since : await config.tracker.pushLanding(exclude, since, pushLandingWaitMs(req.headers[PULL_TIMEOUT_HEADER]));
  // A page read ahead is served as a page read now would be: not once a tracked table changed, nor inside the app's transaction.
  config.tracker.refuseChangedSchema();
  config.tracker.refuseOpenTransaction('GET /data/changes');
  const key = { since: from, limit, exclude, protocol: pageProtocol(config, query.protocol), coding: negotiateCoding(req) };
  const page = from === since ? pages.page(key) : pages.claimed(key, since);
  await sendJson(req, res, page, config, pages);
}

/**
 * The protocol of a page: the newest one these routes speak that is not newer
 * than the `protocol` the client reads (1 when it names none, as older clients do).
 * @throws SyncError `BAD_QUERY` (400) for a `protocol` that is not a positive integer
 */
function pageProtocol(config: DataRoutesConfig, asked: unknown): number {
  const speaks = config.protocols ?? PROTOCOLS;
  if (asked === undefined || !speaks.includes(COMPACT_PROTOCOL)) return 1;
  const reads = readInteger(asked, 'protocol', 1, 1, Number.MAX_SAFE_INTEGER);
  return Math.max(1, ...speaks.filter((protocol) => protocol <= reads));
}

/**
 * `GET /data/info?site=&seen_site=&seen_seq=&seen_mark=`: who this server is;
 * with `site`, how far it holds the asking site's changes (`cursor`, `you`);
 * with `seen_*`, what the asker holds of *this* site: when that is not in this
 * database's history (a rewound or copied file), this server takes a new site
 * id by itself before it answers.
 */
function readInfo(config: DataRoutesConfig, req: Request, res: Response): void {
  const query = dataQuery(req, 'GET /data/info', ['site', 'seen_site', 'seen_seq', 'seen_mark'], 'pass');
  const asking = readPattern(query.site, 'site', SITE_ID, 'a site id: 32 lowercase hexadecimal characters');
  const seenSite = readPattern(query.seen_site, 'seen_site', SITE_ID, 'a site id');
  const seenMark = readPattern(query.seen_mark, 'seen_mark', SIXTEEN_HEX, '16 lowercase hexadecimal characters');
  const seenSeq = readInteger(query.seen_seq, 'seen_seq', 0, 0, Number.MAX_SAFE_INTEGER);
  if (seenSite !== undefined && seenSite === config.tracker.siteId) {
    const changed = config.tracker.checkOwnHistory({ seq: seenSeq, mark: seenMark ?? null });
    if (changed !== undefined) {
      config.logger?.warn({ event: 'identity.changed', code: changed.code, previous: changed.previous, current: changed.current }, `a peer holds another history of this site (${changed.detail}); took a new site id`);
    }
  }
  // The asker's cursor for this site, as it said (a site id just taken anew: it holds none of it).
  const askerCursor = seenSite === config.tracker.siteId ? seenSeq : 0;
  const { protocols, ...info } = config.tracker.info(asking, askerCursor);
  const speaks = config.protocols === undefined ? { protocols } : config.protocols.length > 1 ? { protocols: [...config.protocols] } : {};
  const nats = config.natsCoverage?.() ?? [];
  res.json({ ...info, ...speaks, ...(config.name === undefined ? {} : { name: config.name }), ...(nats.length === 0 ? {} : { nats }) });
}

/**
 * Refuses a changeset in a protocol these routes were told not to speak, as an older server would.
 * @throws SyncError `UNSUPPORTED_PROTOCOL` (400)
 */
function refuseUnspoken(config: DataRoutesConfig, body: unknown): void {
  const protocol = (body as { protocol?: unknown } | null)?.protocol;
  if (config.protocols === undefined || typeof protocol !== 'number' || config.protocols.includes(protocol)) return;
  throw new SyncError('UNSUPPORTED_PROTOCOL', 400, `protocol ${protocol} is not supported; this server speaks protocol ${config.protocols.join(', ')}`);
}

/**
 * Refuses a body that is missing (with the route's code, naming that) or not JSON.
 * @throws SyncError `code` (400) for no body; `UNSUPPORTED_MEDIA_TYPE` (415) for a body that is not JSON
 */
function requireJson(req: Request, route: string, code: string, shape: string): void {
  refuseEmptyJsonBody(req, route, code, shape); // before the type: "send Content-Type: application/json" misled a client that did
  if (!req.is('application/json')) throw new SyncError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as JSON with `Content-Type: application/json`');
}

/**
 * `GET /data/conflicts?after=&limit=`: the parked rows, in id order, a page at
 * most `limit` long and `CONFLICTS_PAGE_BYTES` large (a single larger one
 * alone), with `more: true` when conflicts follow its last one.
 */
function listConflicts(config: DataRoutesConfig, req: Request, res: Response): void {
  const query = dataQuery(req, 'GET /data/conflicts', ['after', 'limit']);
  const after = readPattern(query.after, 'after', /^[0-9a-f]{1,16}$/, 'a conflict id') ?? '';
  const limit = readInteger(query.limit, 'limit', 100, 1, 1000);
  const { conflicts, more } = config.tracker.conflictPage(after, limit);
  res.json({ conflicts, ...(more ? { more: true } : {}) }); // no `more` on the last page, as before it existed
}

/** `POST /data/conflicts/:id/resolve` with `{ "action": "discard" }` or `{ "action": "restore", "values": { … } }`. */
function resolveConflict(config: DataRoutesConfig, req: Request, res: Response): void {
  requireJson(req, 'POST /data/conflicts/:id/resolve', 'INVALID_RESOLUTION', '{"action":"discard"} or {"action":"restore","values":{…}}');
  const id = String(req.params.id);
  if (!SIXTEEN_HEX.test(id)) throw new SyncError('CONFLICT_NOT_FOUND', 404, `no conflict ${JSON.stringify(id)}: conflict ids are 16 lowercase hexadecimal characters`);
  config.tracker.refuseOpenTransaction('POST /data/conflicts/:id/resolve');
  res.json(config.tracker.resolveConflict(id, req.body as unknown));
}

/**
 * The data half of the sync router: `GET /info`, `GET /changes`, `POST /changes`,
 * `GET /conflicts?after=&limit=`, `POST /conflicts/:id/resolve`, and
 * `GET /snapshot` (a consistent snapshot for a new server to start from).
 * The JSON body parser is scoped to this router and bounded by `maxChangesetBytes`.
 */
export function createDataRouter(config: DataRoutesConfig): Router {
  const router = Router();
  const json = boundedJsonBody(express.json({ limit: config.maxChangesetBytes, strict: false, verify: noteJsonBodyBytes }), config.maxChangesetBytes, drainLimitsOf(config)); // 413 at once, not after the whole body
  const notReadBefore = refuseJsonBodyReadBefore(); // an app parser in front of us (express.raw/text) took the body: say so
  // A pusher gone half-open mid-body is cut, as a stalled upload is: not held (with the body so far) for Node's 5-minute requestTimeout.
  const body = cutStalledBody(json, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger);
  const coding = refuseUnreadBodyCoding(); // deflate, or any coding but gzip and br: 415 before the parser reads a byte
  const pages = new PageReadAhead(
    ({ since, limit, exclude, protocol }) => {
      config.tracker.refuseOpenTransaction('GET /data/changes');
      return protocol === COMPACT_PROTOCOL ? config.tracker.readCompactChanges(since, limit, exclude) : config.tracker.readChanges(since, limit, exclude);
    },
    () => config.tracker.siteId,
    config.readAhead ?? true,
    ({ exclude, since }, more, next) => {
      if (exclude !== undefined) config.tracker.notePulledPage(exclude, more, next, since);
    },
  );
  // Express answers HEAD with a GET route: a HEAD would read a page (marking its peer as pulling) or build a snapshot for nothing.
  router.head(['/changes', '/snapshot'], refuseHead); // and their Allow leaves HEAD out
  router.get('/info', (req, res) => readInfo(config, req, res));
  router.get('/changes', (req, res) => readChanges(config, pages, req, res));
  router.get('/snapshot', refuseAnyQuery('GET /data/snapshot'), (req, res) => sendSnapshot(config, req, res));
  router.get('/conflicts', (req, res) => listConflicts(config, req, res));
  router.post('/conflicts/:id/resolve', refuseAnyQuery('POST /data/conflicts/:id/resolve'), notReadBefore, coding, body, (req, res) => resolveConflict(config, req, res));
  router.post('/changes', refuseAnyQuery('POST /data/changes'), notReadBefore, coding, body, (req, res) => {
    requireJson(req, 'POST /data/changes', 'INVALID_CHANGESET', 'a changeset (docs/PROTOCOL.md)');
    config.tracker.refuseOpenTransaction('POST /data/changes');
    config.tracker.refuseWhileJoining();
    refuseUnspoken(config, req.body as unknown);
    res.json(config.tracker.applyChangeset(req.body as unknown));
  });
  return router;
}
