import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import express from 'express';
import { createDefaultLogger, createSyncNode, type SyncLogger, type SyncNode, type TransportOptions } from '../index';
import { SAMPLE_ROOTS } from './config';
import { createPages } from './pages/index';
import { createScoutingApi } from './scouting-api';
import { SCOUTING_TABLES } from './scouting-schema';

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
  /** Transports besides the HTTP peers (`{ nats: { servers, stream } }` from `SYNC_NATS_URL`). @defaultValue none */
  readonly transport?: TransportOptions;
}

/** The sample app and its sync node (start it with `sync.start(intervalMs)`). */
export interface SampleApp {
  readonly app: express.Express;
  readonly sync: SyncNode;
}

/** Writes the instance's settings file once, so the instance root has a config file to sync. */
function ensureInstanceSettings(dataDir: string): void {
  const file = path.join(dataDir, 'instance', 'settings.json');
  // The same bytes on every fresh server, so first syncs agree instead of raising a conflict.
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify({ eventName: 'Practice day' }, null, 2)}\n`);
}

/**
 * The sample app: the sync node under `/api/sync` with the five roots of the
 * data directory and the scouting tables, its peers, the scouting API under
 * `/api`, and the HTML pages (`/`, `/reports`, `/reports/new`, `/photos`).
 */
export function createSampleApp(options: SampleAppOptions): SampleApp {
  const { dataDir, db } = options;
  const logger = options.logger ?? createDefaultLogger();
  ensureInstanceSettings(dataDir);
  const roots = Object.fromEntries(SAMPLE_ROOTS.map((root) => [root, path.join(dataDir, root)]));
  const app = express();
  app.disable('x-powered-by');
  const sync = createSyncNode({
    token: options.token,
    roots,
    logger,
    database: db,
    tables: SCOUTING_TABLES,
    peers: options.peers ?? [],
    peerCa: options.peerCa,
    transport: options.transport,
    stateDir: path.join(dataDir, '.sync-state'),
  });
  app.use('/api/sync', sync.router);

  const recordEvent = db.prepare('INSERT INTO app_events (id, at, kind, detail) VALUES (?, ?, ?, ?)');
  app.use(express.json({ limit: '100kb' }));
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', createScoutingApi(db));
  app.post('/api/events', (req, res) => {
    const body = req.body as { kind?: unknown; detail?: unknown } | undefined;
    const kind = typeof body?.kind === 'string' ? body.kind.slice(0, 100) : 'note';
    const detail = typeof body?.detail === 'string' ? body.detail.slice(0, 10000) : null;
    const id = randomUUID();
    recordEvent.run(id, new Date().toISOString(), kind, detail);
    res.status(201).json({ id });
  });
  app.use(createPages({ db, dataDir, logger }));
  return { app, sync };
}
