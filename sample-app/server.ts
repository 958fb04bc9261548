import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createSampleApp } from './app';
import { readSampleConfig } from './config';
import { openSampleDatabase } from './database';

/** Starts the sample app from the environment (`PORT`, `DATA_DIR`, `SYNC_TOKEN`, `TLS_CERT`, `TLS_KEY`). */
function main(): void {
  const logger = pino({ name: 'sample-app', level: process.env.LOG_LEVEL ?? 'info' });
  const config = readSampleConfig();
  const db = openSampleDatabase(config.dataDir);
  const app = createSampleApp({ dataDir: config.dataDir, db, token: config.token, logger });
  const server = config.tls
    ? https.createServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, app)
    : http.createServer(app);
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const scheme = config.tls ? 'https' : 'http';
    logger.info({ port, dataDir: config.dataDir }, `sample app listening on ${scheme}://localhost:${port}`);
    const origin = config.tokenGenerated ? 'generated and saved in DATA_DIR/.sync-token' : 'from SYNC_TOKEN or DATA_DIR/.sync-token';
    process.stdout.write(`\nSync API: ${scheme}://localhost:${port}/api/sync   token (${origin}): ${config.token}\n\n`);
  });
  const shutdown = (): void => {
    server.close(() => {
      db.close();
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main();
