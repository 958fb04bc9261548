import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import type { SyncRouterOptions } from '../../node/options';

/** The token every test server accepts. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** A live HTTP server on 127.0.0.1 with the sync router under `/api/sync`. */
export interface TestServer {
  readonly app: express.Express;
  readonly server: http.Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An Express app with the sync router mounted at `/api/sync`. */
export function makeApp(options: SyncRouterOptions): express.Express {
  const app = express();
  app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, ...options }));
  return app;
}

/** Starts `app` on an ephemeral port of 127.0.0.1. */
export async function startServer(app: express.Express): Promise<TestServer> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
