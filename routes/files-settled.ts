import express, { Router, type Request, type Response } from 'express';
import { nameRefusal } from '../lib/files/database-refusal';
import type { LocalFiles } from '../lib/files/local-files';
import { parseSyncPath } from '../lib/files/safe-path';
import { MAX_SETTLED_BODY_BYTES, MAX_SETTLED_PATHS, settledBodyCheck, type SettledAnswer, type SettledBody, type SettledPaths } from '../lib/peers/file-settled';
import type { SyncClient } from '../lib/peers/sync-client';
import { SyncError } from '../lib/sync-error';
import { refuseUnreadBodyCoding } from '../middleware/body-coding';
import { refuseJsonBodyReadBefore } from '../middleware/body-read-before';
import { boundedJsonBody } from '../middleware/bounded-json';
import { noteJsonBodyBytes, refuseEmptyJsonBody } from '../middleware/empty-json-body';
import { drainLimitsOf, type DrainLimits } from '../middleware/lingering-close';
import { readRawQuery } from '../lib/files/raw-query';
import { DEFAULTS } from '../lib/defaults';
import type { SyncLogger } from '../lib/logger';
import { cutStalledBody } from '../middleware/stall';

/** What `POST /files/settled` reads: this server's roots and file policy, and its sync client, if any. */
export interface SettledRoutesConfig extends Pick<LocalFiles, 'roots' | 'policy'>, Partial<DrainLimits> {
  /** Records the settlements in the bases it keeps; none (a router that syncs with no peer): they are checked, then ignored. */
  readonly client: Pick<SyncClient, 'recordPeerSettlements'> | undefined;
  /** Ms the body may bring no byte before its connection is cut. @defaultValue `DEFAULTS.sendStallMs` (60000) */
  readonly sendStallMs?: number;
  /** Where a cut is logged (`upload.abandoned`). */
  readonly logger?: SyncLogger;
}

/** The body `POST /files/settled` takes, as its refusals show it. */
const SETTLED_SHAPE = '{ "site": <32 hex>, "roots": { <root>: { <path>: <sha256 hex> | null } } }';

/**
 * The body checked: its presence, its shape (TypeBox), at most {@link MAX_SETTLED_PATHS}
 * paths, known roots, and every path one the file routes would take.
 * @throws SyncError `UNSUPPORTED_MEDIA_TYPE` (415), `BAD_REQUEST` (400), `BODY_TOO_LARGE` (413), `UNKNOWN_ROOT` (404), `BAD_PATH` (400), `DB_FILE_REFUSED` (403)
 */
function readSettled(config: SettledRoutesConfig, req: Request): { readonly site: string; readonly settled: SettledPaths } {
  refuseEmptyJsonBody(req, 'POST /files/settled', 'BAD_REQUEST', SETTLED_SHAPE); // not "send Content-Type: application/json" to a client that did
  if (!req.is('application/json')) throw new SyncError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as JSON with `Content-Type: application/json`');
  if (Object.keys(readRawQuery(req.originalUrl)).length > 0) throw new SyncError('BAD_REQUEST', 400, 'POST /files/settled takes no query parameters: `site` and `roots` go in the JSON body');
  const body: unknown = req.body;
  const [first] = settledBodyCheck.Errors(body);
  if (first !== undefined) {
    const field = first.path === '' ? 'the body' : `\`${first.path.slice(0, 120)}\``;
    throw new SyncError('BAD_REQUEST', 400, `${field}: ${first.message}; the body is ${SETTLED_SHAPE}`);
  }
  const { site, roots } = body as SettledBody;
  const count = Object.values(roots).reduce((sum, files) => sum + Object.keys(files).length, 0);
  if (count > MAX_SETTLED_PATHS) throw new SyncError('BODY_TOO_LARGE', 413, `the body settles ${count} paths; send at most ${MAX_SETTLED_PATHS} at a time`);
  const settled = new Map<string, Map<string, string | undefined>>();
  for (const [root, files] of Object.entries(roots)) {
    if (!config.roots.has(root)) throw new SyncError('UNKNOWN_ROOT', 404, `no root ${JSON.stringify(root.slice(0, 120))}; the roots are ${[...config.roots.keys()].join(', ')}`);
    const paths = new Map<string, string | undefined>();
    for (const [relative, sha256] of Object.entries(files)) {
      const parsed = parseSyncPath(`${root}/${relative}`);
      if (parsed.root !== root || parsed.segments.length === 0) throw new SyncError('BAD_PATH', 400, `bad path: ${JSON.stringify(`${root}/${relative}`.slice(0, 120))} names no file of ${root}`);
      if (config.policy.isDatabaseName(relative)) throw nameRefusal(config.policy, relative, `${root}/${relative}`);
      paths.set(relative, sha256 ?? undefined);
    }
    settled.set(root, paths);
  }
  return { site, settled };
}

/** `POST /files/settled`: what a peer's own round settled with this server, recorded in the base this server keeps for that peer. */
async function recordSettled(config: SettledRoutesConfig, req: Request, res: Response): Promise<void> {
  const { site, settled } = readSettled(config, req);
  const peers = config.client === undefined ? 0 : await config.client.recordPeerSettlements(site, settled);
  res.json({ peers } satisfies SettledAnswer);
}

/**
 * `POST /files/settled` (mounted under `/files`): a peer that ran a file
 * sync round with this server tells what both sides now hold at the paths
 * it settled, so that the next round run by this server plans against the
 * same base (see PROTOCOL.md, "File sync").
 */
export function createFilesSettledRouter(config: SettledRoutesConfig): Router {
  const router = Router();
  const json = boundedJsonBody(express.json({ limit: MAX_SETTLED_BODY_BYTES, strict: true, verify: noteJsonBodyBytes }), MAX_SETTLED_BODY_BYTES, drainLimitsOf(config));
  const body = cutStalledBody(json, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger); // a peer gone half-open mid-body is cut
  const coding = refuseUnreadBodyCoding(); // deflate, or any coding but gzip and br: 415 before the parser reads a byte
  router.post('/settled', refuseJsonBodyReadBefore(), coding, body, (req, res) => recordSettled(config, req, res));
  return router;
}
