import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import request from 'supertest';
import { silentLogger, type PeerSyncResult, type SyncNode } from '../../index';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Running {
  readonly url: string;
  readonly db: Database.Database;
  readonly sync: SyncNode;
  readonly server: http.Server;
}

/** A sample app on `dataDir` (its own connection to the database there), listening on 127.0.0.1. */
async function start(dataDir: string, peers: (servers: readonly string[]) => string[], urls: string[]): Promise<Running & { setPeers(): void }> {
  readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN });
  const db = openSampleDatabase(dataDir);
  let app: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => app(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  urls.push(url);
  let sync: SyncNode | undefined;
  const running = {
    url,
    db,
    server,
    get sync(): SyncNode {
      if (sync === undefined) throw new Error('not started');
      return sync;
    },
    setPeers(): void {
      const made = createSampleApp({ dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers: peers(urls).map((peer) => `${peer}/api/sync`) });
      app = made.app;
      sync = made.sync;
    },
  };
  return running;
}

function failure(results: readonly PeerSyncResult[], url: string): { code?: string; message?: string } | undefined {
  return results.find((result) => result.peer.startsWith(`${url}/`))?.error;
}

/** A careless operator starts the sample app twice on one DATA_DIR (two ports), and a hub lists both. */
describe('two servers started on one database file', () => {
  let temp: ReturnType<typeof tempDir>;
  let servers: (Running & { setPeers(): void })[] = [];
  afterEach(async () => {
    for (const running of servers) {
      await running.sync.stop();
      running.db.close();
      running.server.closeAllConnections();
      await new Promise<void>((resolve) => running.server.close(() => resolve()));
    }
    servers = [];
    temp.cleanup();
  });

  it('the hub and the first server say so in their refusal, with a fix that applies to it', async () => {
    temp = tempDir('ess-h4-one-file-');
    const shared = path.join(temp.dir, 'A');
    const urls: string[] = [];
    // urls: [first on A, second on A, hub]
    const first = await start(shared, (all) => [all[1] ?? ''], urls);
    const second = await start(shared, () => [], urls);
    const hub = await start(path.join(temp.dir, 'C'), (all) => [all[0] ?? '', all[1] ?? ''], urls);
    servers = [first, second, hub];
    for (const running of servers) running.setPeers();
    await request(first.url).post('/api/teams').send({ number: 1, name: 'Team 1' }).expect(201);

    // One URL at a time: the first synced before the hub met the second; from then on either URL is refused.
    const syncHub = async (running: Running): Promise<PeerSyncResult[]> => {
      const client = hub.sync.client;
      if (client === undefined) throw new Error('the hub runs no sync client');
      return [await client.syncPeer(`${running.url}/api/sync`)];
    };
    expect(failure(await syncHub(first), first.url)).toBeUndefined();
    for (const running of [second, first]) {
      const duplicate = failure(await syncHub(running), running.url);
      expect(duplicate?.code).toBe('DUPLICATE_SITE_ID');
      expect(duplicate?.message).toMatch(/or both servers run on one database file/);
      expect(duplicate?.message).toMatch(/list only one of their URLs as a peer/);
    }

    const fromFirst = await first.sync.syncNow();
    const same = failure(fromFirst, second.url);
    expect(same?.code).toBe('SAME_SITE_ID');
    expect(same?.message).toMatch(/or both servers run on this very database file/);
    expect(same?.message).toMatch(/remove it from its peers/);
    // The hub has the row through the first URL's round, before it met the second.
    expect(hub.db.prepare('SELECT number FROM teams').pluck().all()).toEqual([1]);
  });
});
