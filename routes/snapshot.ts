import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { encodingStream, type ContentCoding } from '../lib/content-coding';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { DEFAULTS } from '../lib/defaults';
import type { SnapshotLease, SnapshotSource } from '../lib/data/snapshot-source';
import type { SyncLogger } from '../lib/logger';
import { SyncError } from '../lib/sync-error';
import { negotiateCoding } from './coding';
import { abandonWhenStalled } from '../middleware/stall';

/** Media type of a snapshot body: an SQLite database file. */
export const SNAPSHOT_MEDIA_TYPE = 'application/vnd.sqlite3';

/** What the snapshot route needs: its source, or undefined when this server serves none (`serveSnapshots: false`), and the tracker whose schema watch it asks first. */
export interface SnapshotRouteConfig {
  readonly snapshots: SnapshotSource | undefined;
  /** The tracker over the same database: `fold()` refuses with `SCHEMA_CHANGED` once a tracked table changed while the server runs, `refuseOpenTransaction` while the app holds a transaction open. */
  readonly tracker: Pick<ChangeTracker, 'fold' | 'refuseOpenTransaction'>;
  /** Ms an answer may make no progress before it is abandoned. @defaultValue `DEFAULTS.snapshotSendStallMs` (60000) */
  readonly sendStallMs?: number;
  /** Where an abandoned answer is logged. */
  readonly logger?: SyncLogger;
}

function setSnapshotHeaders(res: Response, lease: SnapshotLease, coding: ContentCoding): void {
  res.status(200);
  res.setHeader('Content-Type', SNAPSHOT_MEDIA_TYPE);
  res.setHeader('Content-Disposition', 'attachment');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Content-SHA256', lease.sha256);
  res.setHeader('X-Sync-Site', lease.site);
  res.setHeader('X-Sync-Seq', String(lease.seq));
  if (lease.mark !== undefined) res.setHeader('X-Sync-Mark', lease.mark);
  res.setHeader('X-Snapshot-Bytes', String(lease.bytes));
  if (coding === 'identity') res.setHeader('Content-Length', String(lease.bytes));
  else res.setHeader('Content-Encoding', coding);
}

/**
 * `GET /data/snapshot`: a consistent snapshot of this server's database for a
 * new server to start from — the tracked tables and the sync metadata only,
 * as an SQLite file built in a private temp folder (never a sync root, never
 * in a manifest), with its SHA-256, the sender's site and the seq it is
 * complete up to in headers. gzip-compressed when the client asks for it.
 * Like the other data routes, it stops once a tracked table changed while the
 * server runs: a snapshot then would hold columns the capture misses; and,
 * as `GET /data/changes`, while the app holds a transaction open on the
 * connection sync uses (its mark would be recorded inside it). An answer
 * that makes no progress for `sendStallMs` is abandoned.
 * @throws SyncError `SNAPSHOTS_OFF` (404) when this server serves none; `SCHEMA_CHANGED`, `IN_TRANSACTION` (409); `SNAPSHOT_FAILED` (507 no room in the temp folder, 503 locked, else 500)
 */
export async function sendSnapshot(config: SnapshotRouteConfig, req: Request, res: Response): Promise<void> {
  if (config.snapshots === undefined) {
    throw new SyncError('SNAPSHOTS_OFF', 404, 'this server does not serve snapshots (serveSnapshots: false); sync page by page with GET /data/changes');
  }
  config.tracker.refuseOpenTransaction('GET /data/snapshot');
  config.tracker.fold(); // the schema watch, as /info and /changes: 409 SCHEMA_CHANGED until the server restarts
  const lease = await config.snapshots.acquire();
  if (res.destroyed || req.socket.destroyed) {
    lease.release(); // the client left while the snapshot was built
    return;
  }
  res.once('close', () => lease.release());
  abandonWhenStalled(req, res, config.sendStallMs ?? DEFAULTS.snapshotSendStallMs, config.logger);
  const coding = negotiateCoding(req, ['gzip']);
  setSnapshotHeaders(res, lease, coding);
  const compressor = encodingStream(coding);
  const source = createReadStream(lease.file, { highWaterMark: 1024 * 1024 });
  await (compressor === undefined ? pipeline(source, res) : pipeline(source, compressor, res)).catch(() => {
    // the client went away mid-snapshot; its hash check fails, it retries
  });
}
