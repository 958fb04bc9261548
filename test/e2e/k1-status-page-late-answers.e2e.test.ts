import type { Page, Route } from 'playwright-core';
import request from 'supertest';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { countPageFetches, waitForPageFetches } from '../helpers/k1-page-fetches';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { AUTH, openStatusPage, parkConflicts, STEP_TIMEOUT_MS } from '../helpers/status-page';

/** Data conflicts parked on A: one full page of the status page (100) and 4 on the second. */
const CONFLICTS = 104;

/** Discards the first `count` data conflicts of A (the first page's), as another operator would. */
async function discardFirstConflicts(a: LivePeer, count: number): Promise<void> {
  const answer = await request(a.url).get(`/api/sync/data/conflicts?limit=${count}`).set(AUTH).expect(200);
  for (const { id } of (answer.body as { conflicts: Array<{ id: number | string }> }).conflicts) {
    await request(a.url).post(`/api/sync/data/conflicts/${encodeURIComponent(String(id))}/resolve`).set(AUTH).send({ action: 'discard' }).expect(200);
  }
}

/** Holds the page's next request to `endpoint` (`status` or `data/conflicts`) until `release`; the ones after it pass. */
async function holdNext(page: Page, endpoint: string): Promise<{ held: Promise<void>; release(): Promise<void> }> {
  let route: Route | undefined;
  let caught: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (caught = resolve));
  const matches = (url: URL): boolean => url.pathname.endsWith(`/api/sync/${endpoint}`);
  await page.route(matches, async (next) => {
    if (route !== undefined) return next.continue();
    route = next;
    caught();
  });
  return {
    held,
    release: async () => {
      await route?.continue();
      await page.unroute(matches);
    },
  };
}

/**
 * Answers the status page gets late, on a slow link: for a page left meanwhile, for a token
 * forgotten or replaced meanwhile. What the page shows must follow what the operator did last,
 * whenever the answers come (flaky Wi-Fi), and what is drawn must not depend on when refreshes ran.
 */
describeWithChromium('status page: late answers and refreshes at any moment', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let pages: Page[] = [];
  const peerA = (): LivePeer => (cluster as { peers: LivePeer[] }).peers[0] as LivePeer;

  async function openPage(): Promise<Page> {
    const page = await (browser as TestBrowser).context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    pages.push(page);
    await countPageFetches(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'mesh');
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    await parkConflicts(a, b, CONFLICTS);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });
  afterEach(async () => {
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });

  it('"Forget token" while a refresh waits for /status: the answer is dropped, the form stays, with no "wrong token" and the field focused', async () => {
    const page = await openPage();
    await openStatusPage(page, peerA());
    const status = await holdNext(page, 'status');
    await status.held;
    await page.click('#forget');
    const asked: string[] = []; // nothing more is asked with the forgotten token
    page.on('request', (r) => asked.push(r.url()));
    await status.release();
    await waitForPageFetches(page);
    expect(asked.filter((url) => url.includes('/data/conflicts'))).toEqual([]);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#status').isHidden()).toBe(true);
    expect(await page.locator('#login-error').isHidden()).toBe(true);
    expect(await page.locator('#token').evaluate((node) => node.ownerDocument.activeElement === node)).toBe(true);
  });

  it('"Forget token" while a refresh waits for its data conflicts: the status is not drawn again', async () => {
    const page = await openPage();
    await openStatusPage(page, peerA());
    const conflicts = await holdNext(page, 'data/conflicts');
    await conflicts.held;
    await page.click('#forget');
    await conflicts.release();
    await waitForPageFetches(page);
    expect(await page.locator('#status').isHidden()).toBe(true);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#token').evaluate((node) => node.ownerDocument.activeElement === node)).toBe(true);
  });

  it("a wrong token's 401 that comes after the right token was entered does not log the right one out", async () => {
    const page = await openPage();
    await page.goto(`${peerA().url}/api/sync/ui`);
    const status = await holdNext(page, 'status');
    await page.fill('#token', 'not-the-token-of-this-server');
    await page.click('#login button[type=submit]');
    await status.held; // the wrong token's /status, still on the way
    await page.fill('#token', TEST_TOKEN);
    await page.click('#login button[type=submit]');
    await page.locator('#status').waitFor({ state: 'visible' });
    await status.release(); // its 401 arrives now
    await waitForPageFetches(page);
    expect(await page.locator('#status').isVisible()).toBe(true);
    expect(await page.locator('#login').isHidden()).toBe(true);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('express-sqlite-sync-token')")).toBe(TEST_TOKEN);
  });

  // Last: it resolves conflicts of the shared cluster.
  it('goes back to page 1 once the total no longer reaches where page 2 started, whenever the refreshes ran', async () => {
    const page = await openPage();
    await openStatusPage(page, peerA());
    const summary = page.locator('#conflict-summary');
    await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
    await page.click('#conflicts-next');
    await summary.filter({ hasText: `Showing 101–${CONFLICTS} of ${CONFLICTS}.` }).waitFor();
    await discardFirstConflicts(peerA(), 2);
    await summary.filter({ hasText: `Showing ${CONFLICTS - 5}–${CONFLICTS - 2} of ${CONFLICTS - 2}.` }).waitFor(); // drawn: the range kept inside the total
    await discardFirstConflicts(peerA(), 3); // 99 left: all of them fit where page 2 started
    await summary.filter({ hasText: /^99 row\(s\)/ }).waitFor();
    expect(await summary.textContent()).not.toContain('Showing');
    expect(await page.locator('article.conflict').count()).toBe(99);
    expect(await page.locator('#conflict-pages').isHidden()).toBe(true);
  });
});
