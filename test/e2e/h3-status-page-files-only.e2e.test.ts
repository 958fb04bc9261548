import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { openStatusPage, STEP_TIMEOUT_MS, waitForRefreshes } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

/**
 * A server that syncs files only (`createSyncNode` without `database`): its status page said
 * "No transports: no peers and no NATS" beside its peer's card, "None: every row is in its
 * table" of a database it does not have, and asked `data/conflicts` (404) every 3 s.
 */
describeWithChromium('status page of a server that syncs files only', () => {
  let browser: TestBrowser | undefined;
  let peer: TestServer | undefined;
  let here: TestServer | undefined;
  let node: SyncNode | undefined;
  const temp = tempDir('ess-h3-files-only-page-');
  beforeAll(async () => {
    browser = await launchChromium();
    for (const dir of ['here', 'there']) mkdirSync(path.join(temp.dir, dir));
    peer = await startServer(makeApp({ roots: { uploads: path.join(temp.dir, 'there') } }));
    node = createSyncNode({ token: TEST_TOKEN, roots: { uploads: path.join(temp.dir, 'here') }, stateDir: path.join(temp.dir, 'state'), peers: [`${peer.url}/api/sync`], logger: silentLogger, name: 'files box' });
    here = await startServer(express().use('/api/sync', node.router) as express.Express);
    await node.syncNow();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await here?.close();
    await peer?.close();
    temp.cleanup();
  });

  it('says the server syncs files only, lists its peer, and never asks for data conflicts', async () => {
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const notFound: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    try {
      await openStatusPage(page, here as TestServer);
      await waitForRefreshes(page, 2);
      await page.locator('#peers .card', { hasText: `${(peer as TestServer).url}/api/sync` }).waitFor();
      const transports = (await page.locator('#transports').textContent()) ?? '';
      expect(transports).not.toContain('no peers');
      expect(transports).toContain('this server syncs files only');
      expect(await page.locator('#conflict-summary').textContent()).toBe('No data sync on this server (no database): it syncs files only.');
      expect(notFound).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
