import type { Page, Route } from 'playwright-core';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { countPageFetches, waitForPageFetches } from '../helpers/k1-page-fetches';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';
import { holdDeletions, openStatusPage, parkConflicts, STEP_TIMEOUT_MS, waitForRefreshes } from '../helpers/status-page';

/** How a held request is let go: on to the server, cut (the link dropped), or answered with an error. */
type Release = 'continue' | 'abort' | { readonly status: number; readonly code: string };

/** Holds the page's next POST whose path ends with `suffix` until `release`; the ones after it pass. */
async function holdNextPost(page: Page, suffix: string): Promise<{ held: Promise<void>; release(how: Release): Promise<void> }> {
  let route: Route | undefined;
  let caught: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (caught = resolve));
  const matches = (url: URL): boolean => url.pathname.endsWith(suffix);
  await page.route(matches, async (next) => {
    if (route !== undefined || next.request().method() !== 'POST') return next.continue();
    route = next;
    caught();
  });
  return {
    held,
    release: async (how) => {
      if (how === 'continue') await route?.continue();
      else if (how === 'abort') await route?.abort('connectionreset');
      else await route?.fulfill({ status: how.status, contentType: 'application/json', body: JSON.stringify({ error: { code: how.code, message: 'a late refusal' } }) });
      await page.unroute(matches);
    },
  };
}

/** Forgets the token, then enters it again and waits for the new view's first refresh drawn. */
async function forgetAndLogInAgain(page: Page): Promise<void> {
  await page.click('#forget');
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#token', TEST_TOKEN);
  await page.click('#login button[type=submit]');
  await page.locator('#status').waitFor({ state: 'visible' });
  await waitForRefreshes(page);
}

/**
 * The answer to "Sync now", "Delete them" or "Resolve" that comes after "Forget token" (flaky Wi-Fi) belongs to a
 * view the operator left: it used to be shown all the same, in the next view (a "done: 1/1 peers ok" or a "Not
 * resolved" nobody asked for there) or as an alert over the login form. Only refresh() dropped late answers. Now
 * each action's answer is dropped once the token was forgotten or entered again, and a new view starts with no message.
 */
describeWithChromium('status page: an action\'s late answer after "Forget token" is dropped', () => {
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
    await openStatusPage(page, peerA());
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'mesh');
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    await parkConflicts(a, b, 1);
    await holdDeletions(a, b, 10);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });
  afterEach(async () => {
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });

  it('"Sync now": its late result is not shown in the next view, and "Sync now" works there at once', async () => {
    const page = await openPage();
    const run = await holdNextPost(page, '/api/sync/run');
    await page.click('#run');
    await run.held;
    await forgetAndLogInAgain(page);
    expect(await page.locator('#message').textContent()).toBe(''); // not the left view's "syncing…"
    await page.click('#run'); // a new view: not "one round at a time" with the held one
    await page.locator('#message').filter({ hasText: /^done: \d\/\d peers ok$/ }).waitFor();
    const shown = await page.locator('#message').textContent();
    await run.release({ status: 502, code: 'LATE_FAILURE' });
    await waitForPageFetches(page);
    expect(await page.locator('#message').textContent()).toBe(shown);
    expect(await page.locator('#notice').isHidden()).toBe(true);
  });

  it('"Delete them": a late failure is not put over the login form, and nothing is said in the next view', async () => {
    const page = await openPage();
    const confirm = await holdNextPost(page, '/api/sync/deletions/confirm');
    await page.locator('button[data-action=confirm]').first().click();
    await confirm.held;
    await page.click('#forget');
    await confirm.release('abort');
    await waitForPageFetches(page);
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.locator('#login').isVisible()).toBe(true);
    await page.fill('#token', TEST_TOKEN);
    await page.click('#login button[type=submit]');
    await waitForRefreshes(page);
    expect(await page.locator('#message').textContent()).toBe('');
    expect(await page.locator('#held').textContent()).not.toContain('failed');
  });

  it('"Resolve": a late refusal is not shown on the card nor as the message in the next view', async () => {
    const page = await openPage();
    const resolve = await holdNextPost(page, '/resolve');
    await page.locator('article.conflict button[data-action=discard]').first().click();
    await resolve.held;
    await forgetAndLogInAgain(page);
    await resolve.release({ status: 409, code: 'LATE_REFUSAL' });
    await waitForPageFetches(page);
    expect(await page.locator('#message').textContent()).toBe('');
    expect(await page.locator('#conflicts').textContent()).not.toContain('LATE_REFUSAL');
    expect(await page.locator('#notice').isHidden()).toBe(true);
  });
});
