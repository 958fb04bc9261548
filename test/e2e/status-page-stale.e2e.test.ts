import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { DOM_SCRIPT } from '../../routes/ui/script-dom';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS, waitForRefreshes } from '../helpers/status-page';

describeWithChromium('status page in headless chromium: nothing stale, nothing lost', () => {
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
      await waitForRefreshes(page, 2);
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
});
