import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import request from 'supertest';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { startPeers, type LivePeer } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

const HOUR = 3_600_000;

/** The label and value of the card's next-round field, read from one draw. */
async function nextField(card: Locator): Promise<{ label: string | null | undefined; value: string | null | undefined }> {
  return card.evaluate((node) => {
    const value = node.querySelector('[data-field=next]');
    return { label: value?.previousElementSibling?.textContent, value: value?.textContent };
  });
}

/**
 * The status page labelled the next round "Next retry" whenever `failures > 0`, also after a round that failed only
 * for its files (its data went through, so the next round comes at the interval, not as a backoff retry). /status
 * now says which it is (`backingOff`), and the card says "Next round" or "Next retry" accordingly.
 */
describeWithChromium('status page: "Next round" after a round that failed only for its files, "Next retry" for a peer gone', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'chain');
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await cluster?.close();
  });

  it('a peer whose root folder is missing: Failing, "Next round" in about an hour; then the peer gone: "Next retry"', async () => {
    const [a, b] = (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];
    rmSync(path.join(b.dataDir, 'uploads'), { recursive: true });
    a.sync.start(HOUR);
    try {
      expect(await a.sync.client!.syncPeer(b.syncUrl)).toMatchObject({ ok: false, error: { code: 'ROOT_MISSING' } });
      const status = await request(a.url).get('/api/sync/status').set(AUTH).expect(200);
      expect((status.body as { peers: unknown[] }).peers[0]).toMatchObject({ state: 'failing', failures: 1, backingOff: false });

      page = await (browser as TestBrowser).context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      await openStatusPage(page, a);
      const failing = page
        .locator(`article[data-peer="${b.syncUrl}"]`)
        .filter({ has: page.locator('[data-field=state]', { hasText: 'Failing' }) })
        .filter({ has: page.locator('[data-field=next]') });
      await failing.waitFor();
      const atInterval = await nextField(failing);
      expect(atInterval.label).toBe('Next round');
      expect(atInterval.value).toMatch(/^in (59|60) min$|^in 1 h$/);

      // The peer gone: its retries back off, and the card says so.
      const closed = new Promise<void>((resolve) => b.listener.close(() => resolve()));
      b.listener.closeAllConnections(); // close() alone waits for a request in flight
      await closed;
      expect(await a.sync.client!.syncPeer(b.syncUrl)).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
      const gone = page
        .locator(`article[data-peer="${b.syncUrl}"]`)
        .filter({ has: page.locator('[data-field=state]', { hasText: 'Unreachable' }) })
        .filter({ has: page.locator('[data-field=next]') });
      await gone.waitFor();
      expect((await nextField(gone)).label).toBe('Next retry');
    } finally {
      await a.sync.stop();
    }
  });
});
