import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { DEFAULTS, type SyncLogger, type SyncNode } from '../index';
import { createSampleApp } from './app';
import { readSampleConfig, type SampleConfig } from './config';
import { openSampleDatabase } from './database';

/** A running sample app. */
export interface RunningSampleApp {
  readonly server: http.Server | https.Server;
  readonly db: Database.Database;
  /** The app's sync node (`sync.syncNow()`, `sync.client`). */
  readonly sync: SyncNode;
  /** The base URL, e.g. `http://localhost:5000`. */
  readonly url: string;
  /** Stops accepting connections, closes open ones and the database. */
  close(): Promise<void>;
}

/**
 * Starts the sample app for a configuration: HTTPS when TLS files are set,
 * plain HTTP otherwise.
 */
export async function startSampleApp(config: SampleConfig, logger: SyncLogger): Promise<RunningSampleApp> {
  const db = openSampleDatabase(config.dataDir);
  const peerCa = config.peerCaFile === undefined ? undefined : readFileSync(config.peerCaFile);
  const transport = config.nats === undefined ? undefined : { nats: config.nats };
  const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token: config.token, logger, peers: config.peers, peerCa, transport });
  const server = config.tls
    ? https.createServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, app)
    : http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (config.peers.length > 0 || config.nats !== undefined) sync.start(config.syncIntervalMs);
  return {
    server,
    db,
    sync,
    url: `${config.tls ? 'https' : 'http'}://localhost:${port}`,
    close: async () => {
      await sync.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

async function main(): Promise<void> {
  const logger = pino({ name: 'sample-app', level: process.env.LOG_LEVEL ?? 'info' });
  const config = readSampleConfig();
  const running = await startSampleApp(config, logger);
  const origin = config.tokenGenerated ? 'generated, saved in DATA_DIR/.sync-token' : 'from SYNC_TOKEN or DATA_DIR/.sync-token';
  logger.info({ url: running.url, dataDir: config.dataDir }, 'sample app listening');
  const peers = config.peers.length === 0 ? 'none (set SYNC_PEERS)' : `${config.peers.join(', ')} every ${config.syncIntervalMs} ms`;
  const nats = config.nats === undefined ? '' : `NATS:       ${config.nats.servers}, stream ${config.nats.stream ?? DEFAULTS.nats.stream} (data; files between peers)\n`;
  process.stdout.write(
    `\nSample app: ${running.url}\nSync API:   ${running.url}/api/sync   status page: ${running.url}/api/sync/ui\nSync token (${origin}): ${config.token}\nPeers:      ${peers}\n${nats}\n`,
  );
  const shutdown = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`sample app failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
