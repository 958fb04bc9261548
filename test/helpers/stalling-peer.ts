import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { enableCapture } from '../../index';

/** A peer whose snapshot starts, then stalls: a join is caught mid-download. */
export async function stallingPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
  const info = enableCapture(db, { tables: ['notes'] }).info();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/sync/data/info') === true) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(info));
    } else if (req.url?.startsWith('/api/sync/data/snapshot') === true) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-content-sha256': '0'.repeat(64), 'x-sync-site': info.site, 'x-sync-seq': '0', 'x-snapshot-bytes': '10000000' });
      res.write(Buffer.alloc(64 * 1024)); // and nothing more
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
