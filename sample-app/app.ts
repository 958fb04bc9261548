import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import express from 'express';
import { createSyncRouter } from '../routes/index';
import type { SyncLogger } from '../lib/logger';
import { SAMPLE_ROOTS } from './config';
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
}

/** Writes the instance's settings file once, so the instance root has a config file to sync. */
function ensureInstanceSettings(dataDir: string): void {
  const file = path.join(dataDir, 'instance', 'settings.json');
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify({ eventName: 'Practice day', createdAt: new Date().toISOString() }, null, 2)}\n`);
}

/**
 * The sample app: the sync router under `/api/sync` with the five roots of
 * the data directory, and a tiny API that writes to the app's own database.
 */
export function createSampleApp(options: SampleAppOptions): express.Express {
  const { dataDir, db } = options;
  ensureInstanceSettings(dataDir);
  const roots = Object.fromEntries(SAMPLE_ROOTS.map((root) => [root, path.join(dataDir, root)]));
  const app = express();
  app.disable('x-powered-by');
  app.use('/api/sync', createSyncRouter({ token: options.token, roots, logger: options.logger, database: db, tables: SCOUTING_TABLES }));

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
  return app;
}
