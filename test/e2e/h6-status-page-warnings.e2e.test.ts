import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { tempDb, type TempDb } from '../helpers/data';
import { put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);';

/**
 * A round's warnings (`lastResult.warnings`: a root of this server the peer does not have, `UNKNOWN_ROOT`)
 * were printed by the CLI's `status` but not shown on the status page: the peer's card said "OK" while the
 * root's files never travelled to it. The card now lists each warning, as text.
 */
describeWithChromium('status page: a round\'s warnings on the peer\'s card', () => {
  let browser: TestBrowser | undefined;
  const dbs: TempDb[] = [];
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let local: TestServer;
  let node: SyncNode;

  beforeAll(async () => {
    browser = await launchChromium();
    temp = tempDir('ess-h6-warnings-');
    const [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    dbs.push(a, b);
    const dir = (name: string): string => {
      const made = path.join(temp.dir, name);
      mkdirSync(made, { recursive: true });
      return made;
    };
    peer = await startServer(makeApp({ name: 'the peer <b>bold</b>', database: b.db, tables: ['notes'], roots: { uploads: dir('peer/uploads') } }));
    const roots = { uploads: dir('local/uploads'), config: dir('local/config') };
    put(roots.config, 'event.json', '{}');
    node = createSyncNode({ name: 'local', token: TEST_TOKEN, database: a.db, tables: ['notes'], roots, peers: [`${peer.url}/api/sync`], stateDir: dir('state'), logger: silentLogger });
    const app = express();
    app.use('/api/sync', node.router);
    local = await startServer(app);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.stop(0);
    await local?.close();
    await peer?.close();
    for (const db of dbs.splice(0)) db.cleanup();
    temp?.cleanup();
  });

  it('lists UNKNOWN_ROOT with its root and message under the peer, the state still OK', async () => {
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: true, warnings: [{ code: 'UNKNOWN_ROOT', root: 'config' }] });
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      await openStatusPage(page, local);
      const card = page.locator('#peers .card');
      await card.locator('[data-field=state]', { hasText: 'OK' }).waitFor();
      const warnings = card.locator('[data-field=warning]');
      expect(await warnings.count()).toBe(1);
      const text = await warnings.first().textContent();
      expect(text).toBe(`UNKNOWN_ROOT config: ${result?.warnings?.[0]?.message}`);
      expect(await card.locator('b').count()).toBe(0); // the peer's name is text
    } finally {
      await page.close();
    }
  }, 60_000);
});
