import { Router, type Request, type Response } from 'express';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { formatMetrics } from '../lib/peers/metrics';
import type { SyncClient } from '../lib/peers/sync-client';
import type { PeerSyncResult, SyncProgress, SyncStatus } from '../lib/peers/sync-status';

/** What the status routes read. */
export interface StatusConfig {
  /** The sync client, when this server has peers. */
  readonly client: SyncClient | undefined;
  /** This server's data, when it syncs data. */
  readonly tracker: ChangeTracker | undefined;
}

/** The body of `GET /status` (and the figures of `/metrics`), built here only. */
function currentStatus(config: StatusConfig): SyncStatus {
  const info = config.tracker?.info();
  return {
    site: info?.site,
    seq: info?.seq,
    conflicts: config.tracker?.conflictCount() ?? 0,
    peers: config.client?.peerStatuses() ?? [],
    transports: config.client?.transportStatuses() ?? [],
  };
}

async function runNow(config: StatusConfig, req: Request, res: Response): Promise<void> {
  const client = config.client;
  if (req.query.stream !== 'ndjson') {
    res.json({ results: client === undefined ? [] : await client.syncAll() });
    return;
  }
  res.status(200).type('application/x-ndjson');
  res.flushHeaders();
  const onProgress = (progress: SyncProgress): void => {
    res.write(`${JSON.stringify({ type: 'progress', progress })}\n`);
  };
  client?.on('progress', onProgress);
  try {
    const results: PeerSyncResult[] = client === undefined ? [] : await client.syncAll();
    res.end(`${JSON.stringify({ type: 'results', results })}\n`);
  } finally {
    client?.off('progress', onProgress);
  }
}

/**
 * `GET /status` (JSON), `POST /run` (sync with every peer now; JSON, or
 * NDJSON progress lines then the results with `?stream=ndjson`) and
 * `GET /metrics` (Prometheus text).
 */
export function createStatusRouter(config: StatusConfig): Router {
  const router = Router();
  router.get('/status', (_req, res) => {
    res.json(currentStatus(config));
  });
  router.post('/run', (req, res) => runNow(config, req, res));
  router.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(formatMetrics(currentStatus(config), config.client?.totals() ?? new Map()));
  });
  return router;
}
