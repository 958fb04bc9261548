import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { createSampleApp } from '../../sample-app/app';
import { openSampleDatabase } from '../../sample-app/database';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: a laptop given its own address in SYNC_PEERS (the same .env copied to every laptop,
// with every address in it) failed each round with "http://…/api/sync is this server itself: remove it from
// its peers": the fix named no variable, where the messages about a peer's URL name SYNC_PEERS.
describe('af4: a sample app listing itself in SYNC_PEERS', () => {
  let temp: ReturnType<typeof tempDir>;
  let server: TestServer;
  const closing: Array<() => unknown> = [];
  beforeEach(() => {
    temp = tempDir('ess-af4-self-');
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    temp.cleanup();
  });

  it('SAME_SITE_ID names SYNC_PEERS in its fix', async () => {
    const outer = express();
    server = await startServer(outer);
    closing.push(() => server.close());
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN, SYNC_PEERS: `http://localhost:${server.port}` });
    const db = openSampleDatabase(config.dataDir);
    closing.push(() => db.close());
    const { app, sync } = createSampleApp({ dataDir: config.dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers: config.peers });
    closing.push(() => sync.stop());
    outer.use(app);
    const [result] = await sync.syncNow();
    expect(result?.error?.code).toBe('SAME_SITE_ID');
    expect(result?.error?.message).toBe(`http://localhost:${server.port}/api/sync is this server itself: remove it from its peers (\`peers\`, SYNC_PEERS in the sample app)`);
  });
});
