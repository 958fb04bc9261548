import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

/**
 * A root held back on both sides at once (this server would lose what the peer deleted, the peer what
 * this server deleted) showed two items, each with a "Delete them" naming its own side; either button
 * confirmed both (a confirmation is per peer and root, as the root is held back as a whole), so
 * "Delete them: 1 files of static on this server" deleted 4 files on two servers.
 */
describeWithChromium('status page: deletions held on both sides of one root', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'chain');
  }, 60_000);
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });

  it('shows one item naming both sides, whose one button says everything it confirms', async () => {
    const [a, b] = (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];
    const names = ['x1.json', 'x2.json', 'x3.json', 'x4.json'];
    for (const name of names) put(path.join(a.dataDir, 'static', 'both'), name, `{"name":"${name}"}`);
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    for (const name of names.slice(0, 3)) rmSync(path.join(a.dataDir, 'static', 'both', name)); // gone here: the peer would lose 3 of its 3
    rmSync(path.join(b.dataDir, 'static', 'both', 'x4.json')); // gone there: this server would lose 1 of its 1
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const status = (await request(a.url).get('/api/sync/status').set(AUTH).expect(200)).body as { heldDeletions: Array<{ side: string }> };
    expect(status.heldDeletions.map((held) => held.side).sort()).toEqual(['here', 'there']);

    page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await openStatusPage(page, a);
    const items = page.locator('#held-list li');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    expect(await items.first().locator('span').textContent()).toBe('Syncing static with server-1 would delete 1 of 1 files on this server (100 %) and 3 of 3 files on the peer (100 %); the limit is 50 %. ');
    const button = page.getByRole('button', { name: 'Delete them: 1 files of static on this server and 3 on the peer, with server-1' });
    await button.click();
    await page.locator('#message', { hasText: /^confirmed: 4 files deleted$/ }).waitFor();
    for (const name of names) {
      expect(existsSync(path.join(a.dataDir, 'static', 'both', name))).toBe(false);
      expect(existsSync(path.join(b.dataDir, 'static', 'both', name))).toBe(false);
    }
  });

  // A hold that grew after the page drew it (one more file deleted on the peer) is confirmed for the
  // count shown only; the sync then holds the larger plan back again and deletes nothing, yet the
  // page said "confirmed: 4 files deleted".
  it('says so when the confirmed sync held the deletions back again, and deleted nothing', async () => {
    const [a, b] = (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];
    const names = ['g1.json', 'g2.json', 'g3.json', 'g4.json', 'g5.json', 'g6.json'];
    for (const name of names) put(path.join(a.dataDir, 'static', 'grow'), name, `{"name":"${name}"}`);
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    for (const name of names.slice(0, 4)) rmSync(path.join(b.dataDir, 'static', 'grow', name));
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200); // 4 of 6 here: held

    page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await openStatusPage(page, a);
    const item = page.locator('#held-list li', { hasText: 'would delete 4 of 6 files on this server' });
    await item.waitFor();
    rmSync(path.join(b.dataDir, 'static', 'grow', 'g5.json')); // the plan grows to 5 after the page drew 4
    await item.locator('button').click();
    const message = page.locator('#message', { hasText: /^confirmed/ });
    await message.waitFor();
    expect(await message.textContent()).toBe('confirmed 4, but none of them was deleted: the sync would now delete more (5 files on this server), so it holds them back again; see below');
    for (const name of names.slice(0, 5)) expect(existsSync(path.join(a.dataDir, 'static', 'grow', name))).toBe(true);
  });
});
