import express, { Router, type Request, type Response } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import type { SnapshotSource } from '../lib/data/snapshot-source';
import { SyncError } from '../lib/sync-error';
import { encodeBody, MIN_COMPRESSED_BYTES } from '../lib/content-coding';
import { negotiateCoding } from './coding';
import { PageReadAhead } from './read-ahead';
import { sendSnapshot } from './snapshot';

/** What the data routes need, resolved once by the router factory. */
export interface DataRoutesConfig {
  /** The tracker over the app's database (see `enableCapture`). */
  readonly tracker: ChangeTracker;
  /** Largest changeset body accepted, in bytes (413 above). */
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
}

const DIGITS = /^[0-9]{1,16}$/;

function readInteger(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !DIGITS.test(value) || Number(value) > max) {
    throw new SyncError('BAD_QUERY', 400, `\`${name}\` must be an integer from 0 to ${max}`);
  }
  return Number(value);
}

/**
 * Sends a JSON answer, compressed (off the event loop) in the coding the
 * client asked for when it is large enough to pay.
 */
async function sendJson(req: Request, res: Response, json: Buffer): Promise<void> {
  const coding = json.length < MIN_COMPRESSED_BYTES ? 'identity' : negotiateCoding(req);
  const body = coding === 'identity' ? json : await encodeBody(json, coding);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
  res.setHeader('Content-Length', String(body.length));
  res.end(body); // no ETag: a page is read once
}

/** `GET /data/changes?since=&limit=&exclude_site=`: one page of changes and the next cursor. */
async function readChanges(config: DataRoutesConfig, pages: PageReadAhead, req: Request, res: Response): Promise<void> {
  const since = readInteger(req.query.since, 'since', 0, Number.MAX_SAFE_INTEGER);
  const asked = readInteger(req.query.limit, 'limit', config.changesPageSize, Number.MAX_SAFE_INTEGER);
  if (asked < 1) throw new SyncError('BAD_QUERY', 400, '`limit` must be a positive integer');
  const limit = Math.min(asked, config.maxChangesPageSize); // a peer asking for more gets a full page of the largest size
  const exclude = req.query.exclude_site;
  if (exclude !== undefined && typeof exclude !== 'string') throw new SyncError('BAD_QUERY', 400, '`exclude_site` must be given once');
  if (exclude !== undefined) checkSiteId(exclude);
  await sendJson(req, res, pages.page(since, limit, exclude));
}

function checkSiteId(site: string): void {
  if (!/^[0-9a-f]{32}$/.test(site)) throw new SyncError('BAD_QUERY', 400, '`exclude_site` must be a site id: 32 lowercase hexadecimal characters');
}

/** `POST /data/changes`: applies a changeset in one transaction. */
function applyChanges(config: DataRoutesConfig, req: Request, res: Response): void {
  if (!req.is('application/json')) {
    throw new SyncError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the changeset as JSON with `Content-Type: application/json`');
  }
  res.json(config.tracker.applyChangeset(req.body as unknown));
}

/**
 * The data half of the sync router: `GET /info`, `GET /changes`, `POST /changes`,
 * `GET /conflicts?after=&limit=` (recorded conflicts, oldest first), and
 * `GET /snapshot` (a consistent snapshot for a new server to start from).
 * The JSON body parser is scoped to this router and bounded by `maxChangesetBytes`.
 */
export function createDataRouter(config: DataRoutesConfig): Router {
  const router = Router();
  const pages = new PageReadAhead((since, limit, exclude) => config.tracker.readChanges(since, limit, exclude), config.readAhead ?? true);
  router.get('/info', (req, res) => {
    const site = req.query.site;
    if (site !== undefined && (typeof site !== 'string' || !/^[0-9a-f]{32}$/.test(site))) {
      throw new SyncError('BAD_QUERY', 400, '`site` must be a site id: 32 lowercase hexadecimal characters');
    }
    const info = config.tracker.info(site);
    res.json(config.name === undefined ? info : { ...info, name: config.name });
  });
  router.get('/changes', (req, res) => readChanges(config, pages, req, res));
  router.get('/snapshot', (req, res) => sendSnapshot(config, req, res));
  router.get('/conflicts', (req, res) => {
    const after = readInteger(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = Math.max(1, readInteger(req.query.limit, 'limit', 100, 1000));
    res.json({ conflicts: config.tracker.listConflicts(after, limit) });
  });
  router.post('/changes', express.json({ limit: config.maxChangesetBytes, strict: false }), (req, res) => applyChanges(config, req, res));
  return router;
}
