import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { silentLogger } from '../../lib/logger';
import { createSampleApp } from '../../sample-app/app';
import { readSampleConfig } from '../../sample-app/config';
import { openSampleDatabase } from '../../sample-app/database';
import { startPeers, type LivePeer } from '../helpers/peers';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { holdDeletions, openStatusPage, parkConflicts, STEP_TIMEOUT_MS, waitForRefreshes } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

/** Data conflicts parked on A: more than one page of the status page (100). */
const CONFLICTS = 104;

/** A "peer" that accepts connections and never answers: a sync round with it hangs until it is closed. */
async function startHungPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/sync`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A sample app whose one peer is `peer`, on its own temp data directory. */
async function startSampleWithPeer(peer: string): Promise<{ server: TestServer; close(): Promise<void> }> {
  const temp = tempDir('ess-status-page-');
  const { dataDir } = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TEST_TOKEN });
  const db = openSampleDatabase(dataDir);
  const server = await startServer(createSampleApp({ dataDir, db, token: TEST_TOKEN, logger: silentLogger, peers: [peer], name: 'lone' }).app);
  return {
    server,
    close: async () => {
      await server.close();
      db.close();
      temp.cleanup();
    },
  };
}

describeWithChromium('status page in headless chromium: refreshes, paging, errors, accessibility', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let pages: Page[] = [];
  const peers = (): [LivePeer, LivePeer] => (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];

  async function openPage(): Promise<Page> {
    const page = await (browser as TestBrowser).context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'mesh');
    const [a, b] = peers();
    await parkConflicts(a, b, CONFLICTS);
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

  it('keeps focus, typing and a text selection across the 3-second refreshes', async () => {
    const [a, b] = peers();
    const page = await openPage();
    await openStatusPage(page, a);
    const card = page.locator('article.conflict').first();
    const input = card.locator('form.restore input[name=scout]');
    const before = await input.inputValue();
    await input.click();
    await input.press('End');
    await page.keyboard.type(' (tablet 2)');
    await waitForRefreshes(page, 2);
    await page.keyboard.type(' again');
    await waitForRefreshes(page);
    expect(await input.inputValue()).toBe(`${before} (tablet 2) again`);
    expect(await page.evaluate<string>('document.activeElement.name')).toBe('scout');

    // A button reached with the keyboard stays focused.
    const discard = page.locator('article.conflict').nth(1).locator('button[data-action=discard]');
    await discard.focus();
    await waitForRefreshes(page);
    expect(await discard.evaluate((node) => node.ownerDocument.activeElement === node)).toBe(true);

    // A selection in a peer card (whose times change every refresh) stays.
    await page.evaluate(`getSelection().selectAllChildren(document.querySelector('article[data-peer="${b.syncUrl}"] .url'))`);
    await waitForRefreshes(page);
    expect(await page.evaluate<string>('getSelection().toString()')).toBe(b.syncUrl);
  });

  it('pages through more than 100 data conflicts, saying how many there are', async () => {
    const [a] = peers();
    const page = await openPage();
    await openStatusPage(page, a);
    const summary = page.locator('#conflict-summary');
    await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
    const cards = page.locator('article.conflict');
    expect(await cards.count()).toBe(100);
    const first = await cards.locator('h3').allTextContents();
    expect(await page.locator('#conflicts-previous').isDisabled()).toBe(true);
    await page.click('#conflicts-next');
    await summary.filter({ hasText: `Showing 101–${CONFLICTS} of ${CONFLICTS}.` }).waitFor();
    await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('article.conflict').length === n, CONFLICTS - 100);
    const second = await cards.locator('h3').allTextContents();
    expect(second.filter((title) => first.includes(title))).toEqual([]);
    expect(await page.locator('#conflicts-next').isDisabled()).toBe(true);
    await page.click('#conflicts-previous');
    await summary.filter({ hasText: `Showing 1–100 of ${CONFLICTS}.` }).waitFor();
    expect(await cards.count()).toBe(100);
  });

  it('shows a failed restore on the conflict card itself, as an alert, and keeps it there across refreshes', async () => {
    const [a] = peers();
    const page = await openPage();
    await openStatusPage(page, a);
    const card = page.locator('article.conflict').nth(2);
    await card.locator('button[data-action=restore]').click(); // nothing edited: the row still clashes
    const problem = card.locator('p.error[role=alert]');
    await problem.filter({ hasText: /^Not resolved: STILL_CONFLICTS: the restored row would still be parked/ }).waitFor();
    await page.locator('#run').focus(); // the card no longer holds focus: a refresh may draw it anew
    await waitForRefreshes(page);
    expect(await problem.textContent()).toMatch(/^Not resolved: STILL_CONFLICTS/);
  });

  it('goes on refreshing the status while "Sync now" waits for a peer that does not answer', async () => {
    const hung = await startHungPeer();
    const lone = await startSampleWithPeer(hung.url).catch(async (error: unknown) => {
      await hung.close();
      throw error;
    });
    try {
      const page = await openPage();
      await openStatusPage(page, { url: lone.server.url } as LivePeer);
      // The peer never answered a handshake: /status has its transport's position and lag null, which the card says as unknown.
      const transport = page.locator('[data-transport="http"]');
      expect(await transport.locator('[data-field="position"]').textContent()).toBe('unknown');
      expect(await transport.locator('[data-field="lag"]').textContent()).toBe('unknown');
      let runAnswered = false;
      page.on('requestfinished', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/run')) runAnswered = true;
      });
      await Promise.all([page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/run')), page.click('#run')]);
      await page.locator('#message', { hasText: 'syncing…' }).waitFor();
      await waitForRefreshes(page, 2);
      expect(runAnswered).toBe(false); // the round is still in flight, and the page was redrawn twice meanwhile
      await hung.close(); // the peer goes away: the round ends, and says so
      await page.locator('#message', { hasText: /^done: 0\/1 peers ok$/ }).waitFor();
    } finally {
      await hung.close();
      await lone.close();
    }
  });

  it('replaces "deleting…", "resolving…" and "syncing…" with what went wrong when the server stops answering', async () => {
    const own = await startPeers(2, 'mesh');
    try {
      const [a, b] = own.peers as [LivePeer, LivePeer];
      await parkConflicts(a, b, 1);
      await holdDeletions(a, b, 10);
      const page = await openPage();
      await openStatusPage(page, a);
      const card = page.locator('article.conflict').first();
      await card.waitFor();
      const held = page.locator('#held-list li').first();
      await held.waitFor();
      // Stop listening, then cut every connection at once: close() alone waits for a request in flight (a refresh the page has open).
      const closed = new Promise<void>((resolve) => a.listener.close(() => resolve()));
      a.listener.closeAllConnections();
      await closed;
      const message = page.locator('#message');
      const gone = /failed: This server is not answering/;

      await held.locator('button[data-action=confirm]').click();
      await message.filter({ hasText: new RegExp(`^Delete ${gone.source}`) }).waitFor();
      await card.locator('button[data-action=discard]').click();
      await message.filter({ hasText: new RegExp(`^Resolve ${gone.source}`) }).waitFor();
      expect(await card.locator('p.error').textContent()).toMatch(new RegExp(`^Resolve ${gone.source}`));
      await page.click('#run');
      await message.filter({ hasText: new RegExp(`^Sync ${gone.source}`) }).waitFor();
    } finally {
      await own.close();
    }
  });

  it("tells times by the server's clock, not by a device whose clock is 7 minutes behind", async () => {
    const [a, b] = peers();
    const page = await openPage();
    await page.addInitScript(() => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() - 7 * 60_000;
    });
    await openStatusPage(page, a);
    const lastSuccess = page.locator(`article[data-peer="${b.syncUrl}"] [data-field=last-success]`);
    expect(await lastSuccess.textContent()).toMatch(/^\d+ (s|min) ago$/);
    expect(await lastSuccess.textContent()).not.toMatch(/^[7-9] min ago$/);
  });

  it('a restore sends only the cells edited: text with line breaks untouched is not sent (a one-line input dropped them), a hex number is refused', async () => {
    const [a] = peers();
    const page = await openPage();
    await openStatusPage(page, a);
    const card = page.locator('article.conflict').nth(5);
    const notes = card.locator('form.restore textarea[name=notes]');
    expect(await notes.inputValue()).toMatch(/\nits second line$/);
    const points = card.locator('[name=teleop_points]');
    await points.fill('0x10');
    await card.locator('button[data-action=restore]').click();
    expect(await card.locator('p.error[role=alert]').textContent()).toBe('teleop_points must be a number');
    await points.fill('16');
    const scout = card.locator('[name=scout]');
    await scout.fill(`${await scout.inputValue()} (second sheet)`);
    const [sent] = await Promise.all([page.waitForRequest((request) => request.method() === 'POST' && request.url().includes('/resolve')), card.locator('button[data-action=restore]').click()]);
    expect(sent.postDataJSON()).toEqual({ action: 'restore', values: { scout: expect.stringMatching(/ \(second sheet\)$/) as unknown, teleop_points: 16 } });
  });

  it('gives every action button a name of its own, ties the number check to its inputs, and focuses the token field after "Forget token"', async () => {
    const [a] = peers();
    const page = await openPage();
    await openStatusPage(page, a);
    const card = page.locator('article.conflict').nth(3);
    const title = await card.locator('h3').textContent();
    expect(await page.getByRole('button', { name: `Discard it: ${title ?? '?'}`, exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: `Restore with these values: ${title ?? '?'}`, exact: true }).count()).toBe(1);
    const names = await page.locator('button[data-action]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
    expect(new Set(names).size).toBe(names.length);
    await page.getByRole('button', { name: /^Delete them: 10 files of static on this server, with / }).waitFor();

    // The number check is an alert the input points at.
    const points = card.locator('input[name=auto_points]');
    await points.fill('');
    await card.locator('button[data-action=restore]').click();
    const described = await points.getAttribute('aria-describedby');
    const problem = page.locator(`[id="${described ?? '?'}"]`);
    expect(await problem.getAttribute('role')).toBe('alert');
    expect(await problem.textContent()).toBe('auto_points must be a number');

    await page.click('#forget');
    expect(await page.locator('#token').evaluate((node) => node.ownerDocument.activeElement === node)).toBe(true);
  });

  it('loads without a console error (no /favicon.ico 404), names the held deletions\' peer by name and says how many files a confirmation deleted', async () => {
    const [a, b] = peers();
    const page = await openPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await openStatusPage(page, a);
    const held = page.locator('#held-list li', { hasText: 'would delete 10 of 10 files on this server' });
    await held.waitFor();
    expect(await held.locator('span').textContent()).toMatch(/^Syncing static with server-1 would delete/);
    expect(await held.textContent()).not.toContain(b.syncUrl);
    await held.locator('button').click();
    await page.locator('#message', { hasText: /^confirmed: 10 files deleted$/ }).waitFor();
    await page.locator('#held').waitFor({ state: 'hidden' });
    expect(problems).toEqual([]);
  });
});

