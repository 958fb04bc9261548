import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Waits that fail well inside jest's 60 s test timeout, with Playwright's own message. */
const STEP_TIMEOUT_MS = 20_000;

async function enterReport(page: Page, server: LivePeer): Promise<void> {
  await page.goto(`${server.url}/reports/new`);
  await page.fill('#field-team_number', '254');
  await page.fill('#field-team_name', 'The Cheesy Poofs');
  await page.fill('#field-match_label', 'Q7');
  await page.fill('#field-scout', 'e2e-scout');
  await page.fill('#field-auto_points', '12');
  await page.fill('#field-teleop_points', '30');
  await page.fill('#field-notes', 'fast intake <b>not bold</b>');
  await Promise.all([page.waitForURL(`${server.url}/reports`), page.click('button[type=submit]')]);
}

async function uploadPhoto(page: Page, server: LivePeer, name: string, buffer: Buffer): Promise<number | undefined> {
  await page.goto(`${server.url}/photos`);
  await page.setInputFiles('#photo-file', { name, mimeType: 'application/octet-stream', buffer });
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
  await page.waitForLoadState();
  return response.status();
}

/** Opens a server's status page, gives it the token, presses "Sync now" and waits for the answer. */
async function syncNowFromStatusPage(page: Page, server: LivePeer): Promise<string | null> {
  await page.goto(`${server.url}/api/sync/ui`);
  await page.fill('#token', TEST_TOKEN);
  await page.click('#login button[type=submit]');
  await page.locator('#status').waitFor({ state: 'visible' });
  await page.click('#run');
  await page.locator('#message').filter({ hasText: /^done: / }).waitFor();
  return page.textContent('#message');
}

async function reportCells(page: Page, scout: string): Promise<string[]> {
  const row = page.locator('tbody tr', { hasText: scout });
  await row.waitFor();
  return row.locator('td').allTextContents();
}

describeWithChromium('scouting e2e: two live servers in headless chromium', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let pages: Page[] = [];

  /** A new tab, closed after the test. */
  async function openPage(): Promise<Page> {
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'mesh');
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });
  afterEach(async () => {
    await Promise.all(pages.map((page) => page.close()));
    pages = [];
  });

  it('a report and a photo entered on A reach B after "Sync now", and B shows A synced', async () => {
    const [a, b] = (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];
    const page = await openPage();
    await enterReport(page, a);
    const expected = ['Q7', '254 The Cheesy Poofs', 'e2e-scout', '12', '30', 'fast intake <b>not bold</b>'];
    expect(await reportCells(page, 'e2e-scout')).toEqual(expected);
    expect(await uploadPhoto(page, a, 'Pit robot.png', PNG)).toBe(303);
    await page.locator('.notice', { hasText: 'Saved uploads/pit/Pit-robot.png.' }).waitFor();

    expect(await syncNowFromStatusPage(page, a)).toBe('done: 1/1 peers ok');

    await page.goto(`${b.url}/reports`);
    expect(await reportCells(page, 'e2e-scout')).toEqual(expected);
    await page.goto(`${b.url}/photos`);
    await page.locator('a[href="/photos/file/Pit-robot.png"]').waitFor();
    const photo = await page.request.get(`${b.url}/photos/file/Pit-robot.png`);
    expect(Buffer.from(await photo.body()).equals(PNG)).toBe(true);

    // B's own status page (another origin, so it asks for the token again) lists A; B syncs with A now.
    expect(await syncNowFromStatusPage(page, b)).toBe('done: 1/1 peers ok');
    const peerRow = page.locator(`tr[data-peer="${a.syncUrl}"]`);
    await peerRow.locator('td.ok').waitFor();
    await peerRow.locator('td:nth-child(3)').filter({ hasNotText: 'never' }).waitFor();
    const [url, state, lastSuccess] = await peerRow.locator('td').allTextContents();
    expect({ url, state }).toEqual({ url: a.syncUrl, state: 'ok' });
    expect(lastSuccess).toMatch(/^\d+ (s|min) ago$/);
  });

  it('uploading a database file shows a readable refusal and writes nothing', async () => {
    const [, b] = (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer];
    const page = await openPage();
    const pit = path.join(b.dataDir, 'uploads', 'pit');
    const before = readdirSync(pit).sort();
    expect(await uploadPhoto(page, b, 'app.db', Buffer.from('SQLite format 3\0 pretend pages'))).toBe(403);
    expect(await page.textContent('h1')).toBe('Not saved');
    expect(await page.textContent('.problems')).toContain('Database files are never uploaded');
    await page.locator('a[href="/photos"]', { hasText: 'Back to the pit photos' }).waitFor();
    expect(readdirSync(pit).sort()).toEqual(before);
  });
});
