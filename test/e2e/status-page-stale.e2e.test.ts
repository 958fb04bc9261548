import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import request from 'supertest';
import { DOM_SCRIPT } from '../../routes/ui/script-dom';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { AUTH, openStatusPage, parkConflicts, STEP_TIMEOUT_MS, waitForRefreshes, type PageGlobals } from '../helpers/status-page';

/** Data conflicts parked on A: one full page of the status page (100) and 4 on the second. */
const CONFLICTS = 104;

/** What the page showed, recorded in the page by a MutationObserver: the conflict summary and how many cards, at each change. */
const RECORD_DRAWS = `(() => {
  window.drawn = [];
  const note = () => window.drawn.push(document.getElementById('conflict-summary').textContent + ' / ' + document.querySelectorAll('article.conflict').length + ' cards');
  const observer = new MutationObserver(note);
  observer.observe(document.getElementById('conflict-summary'), { childList: true, characterData: true, subtree: true });
  observer.observe(document.getElementById('conflicts'), { childList: true });
})()`;

/** Discards the first `count` data conflicts of A (the first page's), as another operator would. */
async function discardFirstConflicts(a: LivePeer, count: number): Promise<void> {
  const answer = await request(a.url).get(`/api/sync/data/conflicts?limit=${count}`).set(AUTH).expect(200);
  for (const { id } of (answer.body as { conflicts: Array<{ id: number | string }> }).conflicts) {
    await request(a.url).post(`/api/sync/data/conflicts/${encodeURIComponent(String(id))}/resolve`).set(AUTH).send({ action: 'discard' }).expect(200);
  }
}

describeWithChromium('status page in headless chromium: nothing stale, nothing lost, pages that add up', () => {
  let browser: TestBrowser | undefined;
  let pages: Page[] = [];

  async function openPage(): Promise<Page> {
    const page = await (browser as TestBrowser).context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });

  it('keeps two equal lines of a list as two lines (place keys them by text and occurrence)', async () => {
    const page = await openPage();
    await page.setContent('<ul id="list"></ul>');
    const lines = await page.evaluate<string[]>(`(() => {${DOM_SCRIPT}
      const list = document.getElementById('list');
      const lines = (texts) => texts.map((text) => el('li', text));
      place(list, lines(['401 WRONG_TOKEN: GET /status, 2 s ago', 'other']));
      place(list, lines(['401 WRONG_TOKEN: GET /status, 2 s ago', '401 WRONG_TOKEN: GET /status, 2 s ago', 'other']));
      return Array.prototype.map.call(list.children, (li) => li.textContent);
    })()`);
    expect(lines).toEqual(['401 WRONG_TOKEN: GET /status, 2 s ago', '401 WRONG_TOKEN: GET /status, 2 s ago', 'other']);
  });

  it('updates a focused held deletion when the hold grows: "Delete them" never says fewer files than it confirms', async () => {
    const own = await startPeers(2, 'mesh');
    try {
      const [a, b] = own.peers as [LivePeer, LivePeer];
      const names = ['held-0.json', 'held-1.json', 'held-2.json', 'held-3.json'];
      for (const name of names) put(path.join(a.dataDir, 'static', 'held'), name, `{"name":"${name}"}`);
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
      for (const name of names.slice(0, 3)) rmSync(path.join(b.dataDir, 'static', 'held', name));
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200);

      const page = await openPage();
      await openStatusPage(page, a);
      const held = page.locator('#held-list li', { hasText: 'would delete 3 of 4 files on this server' });
      await held.waitFor();
      const go = held.locator('button[data-action=confirm]');
      await go.focus(); // as a click or Tab leaves it
      await waitForRefreshes(page);

      rmSync(path.join(b.dataDir, 'static', 'held', names[3] ?? '?')); // the hold grows: same side, peer and root
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
      // The refresh that read the grown hold (not a count of refreshes: one asked before the run may be drawn after it).
      await page.locator('#held-list li span', { hasText: 'would delete 4 of 4 files on this server' }).waitFor();
      const item = page.locator('#held-list li');
      expect(await item.count()).toBe(1);
      expect(await item.locator('span').textContent()).toContain('would delete 4 of 4 files on this server');
      expect(await item.locator('button').getAttribute('aria-label')).toMatch(/^Delete them: 4 files of static on this server/);
      expect(await item.locator('button').evaluate((node) => node.ownerDocument.activeElement === node)).toBe(true);

      await page.keyboard.press('Enter'); // the focused button, kept: it confirms what it says
      await page.locator('#message', { hasText: /^confirmed: 4 files deleted$/ }).waitFor();
    } finally {
      await own.close();
    }
  });

  describe('paging through data conflicts', () => {
    let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
    const peerA = (): LivePeer => (cluster as { peers: LivePeer[] }).peers[0] as LivePeer;

    beforeAll(async () => {
      cluster = await startPeers(2, 'mesh');
      const [a, b] = cluster.peers as [LivePeer, LivePeer];
      await parkConflicts(a, b, CONFLICTS);
    }, 60_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it('turns one page on a double click of "Next 100", and "Previous 100" goes back to the first', async () => {
      const page = await openPage();
      await openStatusPage(page, peerA());
      const summary = page.locator('#conflict-summary');
      await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
      await page.dblclick('#conflicts-next');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('article.conflict').length === 4);
      expect(await summary.textContent()).toContain(`Showing 101–${CONFLICTS} of ${CONFLICTS}.`);
      await page.click('#conflicts-previous');
      await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
      expect(await page.locator('#conflicts-previous').isDisabled()).toBe(true);
    });

    it('drops an answer for the page it left: a refresh of page 1 answered after "Next 100" is not drawn', async () => {
      const page = await openPage();
      await openStatusPage(page, peerA());
      const summary = page.locator('#conflict-summary');
      await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
      const held: Route[] = [];
      let firstHeld: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => (firstHeld = resolve));
      const firstPage = (url: URL): boolean => url.pathname.endsWith('/data/conflicts') && !url.searchParams.has('after');
      await page.route(firstPage, (route) => {
        held.push(route);
        firstHeld();
      });
      await holding; // the next refresh asks for page 1, and its answer is held back
      await page.click('#conflicts-next');
      await summary.filter({ hasText: `Showing 101–${CONFLICTS} of ${CONFLICTS}.` }).waitFor();
      await page.evaluate(RECORD_DRAWS);
      const answered = held.map((route) => page.waitForEvent('requestfinished', (r) => r === route.request()));
      await Promise.all(held.map((route) => route.continue())); // to the server, as it was asked
      await Promise.all(answered);
      await page.unroute(firstPage);
      await waitForRefreshes(page, 2);
      const drawn = await page.evaluate<string[]>('window.drawn');
      expect(drawn.filter((line) => !line.endsWith(`Showing 101–${CONFLICTS} of ${CONFLICTS}. / 4 cards`))).toEqual([]);
      expect(await summary.textContent()).toContain(`Showing 101–${CONFLICTS} of ${CONFLICTS}.`);
      expect(await page.locator('article.conflict').count()).toBe(4);
    });

    it('keeps the shown range inside the total when conflicts on earlier pages are resolved, and goes back to page 1 when it is past it', async () => {
      const page = await openPage();
      await openStatusPage(page, peerA());
      const summary = page.locator('#conflict-summary');
      await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
      await page.click('#conflicts-next');
      await summary.filter({ hasText: `Showing 101–${CONFLICTS} of ${CONFLICTS}.` }).waitFor();

      await discardFirstConflicts(peerA(), 2);
      await summary.filter({ hasText: `of ${CONFLICTS - 2}.` }).waitFor();
      expect(await summary.textContent()).toContain(`Showing ${CONFLICTS - 5}–${CONFLICTS - 2} of ${CONFLICTS - 2}.`);

      await discardFirstConflicts(peerA(), 12); // 90 left: fewer than the offset of this page
      await summary.filter({ hasText: /^90 row\(s\)/ }).waitFor();
      expect(await summary.textContent()).not.toContain('Showing');
      expect(await page.locator('article.conflict').count()).toBe(90);
      expect(await page.locator('#conflict-pages').isHidden()).toBe(true); // [hidden] wins over .actions' display:flex
    });
  });
});
