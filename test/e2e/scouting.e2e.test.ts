import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { describeWithChromium, launchChromium, saveScreenshot, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Waits that fail well inside jest's 60 s test timeout, with Playwright's own message. */
const STEP_TIMEOUT_MS = 20_000;
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

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

/** Opens a server's status page (at `suffix`) and gives it the token. */
async function openStatusPage(page: Page, server: LivePeer, suffix = '/api/sync/ui', token = TEST_TOKEN): Promise<void> {
  await page.goto(`${server.url}${suffix}`);
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
}

/** Opens a server's status page, presses "Sync now" and waits for the answer. */
async function syncNowFromStatusPage(page: Page, server: LivePeer): Promise<string | null> {
  await openStatusPage(page, server);
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

describeWithChromium('scouting e2e: three live servers in headless chromium', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let pages: Page[] = [];
  const peers = (): [LivePeer, LivePeer, LivePeer] => (cluster as { peers: LivePeer[] }).peers as [LivePeer, LivePeer, LivePeer];

  /** A new tab, closed after the test. */
  async function openPage(viewport = { width: 1100, height: 800 }): Promise<Page> {
    const page = await (browser as TestBrowser).context.newPage();
    await page.setViewportSize(viewport);
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    pages.push(page);
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(3, 'mesh');
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
    const [a, b] = peers();
    const page = await openPage();
    await enterReport(page, a);
    const expected = ['Q7', '254 The Cheesy Poofs', 'e2e-scout', '12', '30', 'fast intake <b>not bold</b>'];
    expect(await reportCells(page, 'e2e-scout')).toEqual(expected);
    expect(await uploadPhoto(page, a, 'Pit robot.png', PNG)).toBe(303);
    await page.locator('.notice', { hasText: 'Saved uploads/pit/Pit-robot.png.' }).waitFor();

    expect(await syncNowFromStatusPage(page, a)).toBe('done: 2/2 peers ok');

    await page.goto(`${b.url}/reports`);
    expect(await reportCells(page, 'e2e-scout')).toEqual(expected);
    await page.goto(`${b.url}/photos`);
    await page.locator('a[href="/photos/file/Pit-robot.png"]').waitFor();
    const photo = await page.request.get(`${b.url}/photos/file/Pit-robot.png`);
    expect(Buffer.from(await photo.body()).equals(PNG)).toBe(true);

    // B's own status page (another origin, so it asks for the token again) names A; B syncs with A now.
    expect(await syncNowFromStatusPage(page, b)).toBe('done: 2/2 peers ok');
    const card = page.locator(`article[data-peer="${a.syncUrl}"]`);
    await card.locator('[data-field=state]', { hasText: 'OK' }).waitFor();
    expect(await card.locator('h3').textContent()).toBe('server-0');
    expect(await card.locator('[data-field=last-success]').textContent()).toMatch(/^\d+ (s|min) ago$/);
    expect(await card.locator('[data-field=undelivered]').textContent()).toBe('0 changes');
    await page.locator('#back').click();
    await page.waitForURL(`${b.url}/`);
  });

  it('says plainly that a token is wrong, and shows the status once the right one is given', async () => {
    const [a] = peers();
    const page = await openPage();
    await openStatusPage(page, a, '/api/sync/ui', 'not-the-token-of-this-server');
    const problem = page.locator('#login-error');
    await problem.waitFor({ state: 'visible' });
    expect(await problem.textContent()).toMatch(/^That token is wrong: this server refused it\./);
    expect(await page.locator('#status').isHidden()).toBe(true);
    await saveScreenshot(page, 'status-wrong-token');
    // A token with characters no header carries is said to be no token, not an unreachable server.
    await page.fill('#token', 'wrong tökén');
    await page.click('#login button[type=submit]');
    await page.locator('#login-error', { hasText: 'That is not a sync token' }).waitFor();
    await page.fill('#token', TEST_TOKEN);
    await page.click('#login button[type=submit]');
    await page.locator('#status').waitFor({ state: 'visible' });
    expect(await problem.isHidden()).toBe(true);
  });

  it('works at /ui/ with a trailing slash: styled, scripted, and showing the peers', async () => {
    const [a, b] = peers();
    const page = await openPage();
    const assets: number[] = [];
    page.on('response', (response) => {
      if (/status\.(js|css)$/.test(response.url())) assets.push(response.status());
    });
    await openStatusPage(page, a, '/api/sync/ui/');
    await page.locator(`article[data-peer="${b.syncUrl}"]`).waitFor();
    expect(assets).toEqual([200, 200]);
    expect(await page.evaluate<string>('getComputedStyle(document.body).maxWidth')).not.toBe('none');
    await saveScreenshot(page, 'status-ok');
  });

  it('lists data conflicts with both versions, restores one with an edited value and discards another from the page', async () => {
    const [a, b] = peers();
    const team = await request(a.url).post('/api/teams').send({ number: 1678, name: 'Citrus Circuits' }).expect(201);
    const match = await request(a.url).post('/api/matches').send({ label: 'SF2' }).expect(201);
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const ids = { match_id: (match.body as { id: string }).id, team_id: (team.body as { id: string }).id };
    for (const scout of ['twin scout', 'other twin']) {
      await request(a.url).post('/api/reports').send({ ...ids, scout, notes: `${scout} entered on A` }).expect(201);
      await request(b.url).post('/api/reports').send({ ...ids, scout, notes: `${scout} entered on B` }).expect(201);
    }
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);

    const page = await openPage();
    await openStatusPage(page, a);
    const card = page.locator('article.conflict', { hasText: 'twin scout entered on B' });
    await card.waitFor();
    const versions = await card.locator('.version').allTextContents();
    expect(versions).toEqual([expect.stringMatching(/^Kept out of the table.*twin scout entered on B/), expect.stringMatching(/^In the table.*twin scout entered on A/)]);
    expect(await card.locator('form.restore input[name=id]').count()).toBe(0); // the key is not editable
    await card.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'status-conflict', { fullPage: true });

    // A number cell emptied by mistake is not sent as text: the form says so and sends nothing.
    const resolves: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/data/conflicts/')) resolves.push(r.url());
    });
    const points = card.locator('form.restore input[name=auto_points]');
    const points0 = await points.inputValue();
    await points.fill('');
    await card.locator('button[data-action=restore]').click();
    await card.locator('form.restore p.error', { hasText: 'auto_points must be a number' }).waitFor();
    expect(resolves).toEqual([]);
    await points.fill(points0);

    // Restore: the scout's name is what clashes; the operator edits it and restores the row.
    const id = await card.getAttribute('data-conflict');
    await card.locator('form.restore input[name=scout]').fill('twin scout (second tablet)');
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/data/conflicts/${id}/resolve`)),
      card.locator('button[data-action=restore]').click(),
    ]);
    expect(sent.postDataJSON()).toEqual({ action: 'restore', values: { scout: 'twin scout (second tablet)' } });
    await page.locator('#message', { hasText: `conflict ${id} resolved: restore` }).waitFor();
    await card.waitFor({ state: 'detached' });
    const restored = (await request(a.url).get('/api/reports').expect(200)).body as Array<{ scout: string; notes: string }>;
    expect(restored).toContainEqual(expect.objectContaining({ scout: 'twin scout (second tablet)', notes: 'twin scout entered on B' }));

    // Discard the other one.
    const other = page.locator('article.conflict', { hasText: 'other twin entered on B' });
    const otherId = await other.getAttribute('data-conflict');
    const [discarded] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/data/conflicts/${otherId}/resolve`)),
      other.locator('button[data-action=discard]').click(),
    ]);
    expect(discarded.postDataJSON()).toEqual({ action: 'discard' });
    await other.waitFor({ state: 'detached' });
    const left = (await request(a.url).get('/api/sync/data/conflicts').set(AUTH)).body as { conflicts: Array<{ id: unknown }> };
    expect(left.conflicts).toEqual([]);

    // The resolutions are replicated writes: B ends with the same reports and no conflict.
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const onB = (await request(b.url).get('/api/reports').expect(200)).body as Array<{ scout: string }>;
    expect(onB.map((row) => row.scout).sort()).toEqual(restored.map((row) => row.scout).sort());
    expect(((await request(b.url).get('/api/sync/data/conflicts').set(AUTH)).body as { conflicts: unknown[] }).conflicts).toEqual([]);
  });

  it('fits a 390 px phone: no horizontal scroll, with long URLs, conflicts and refusals on the page', async () => {
    const [a, b] = peers();
    // A refusal of a long path without a single break opportunity: only overflow-wrap keeps it on a phone.
    await request(a.url).get(`/api/sync/${'unbreakable'.repeat(12)}`).set({ Authorization: 'Bearer wrong-token-for-the-refusal-list' }).expect(401);
    // A file conflict: its copy's long name must wrap too.
    put(path.join(a.dataDir, 'config'), 'scouting-schedule-for-the-whole-event.json', '{"v":0}');
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    put(path.join(a.dataDir, 'config'), 'scouting-schedule-for-the-whole-event.json', '{"v":"A"}');
    put(path.join(b.dataDir, 'config'), 'scouting-schedule-for-the-whole-event.json', '{"v":"B"}');
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const page = await openPage({ width: 390, height: 844 });
    await openStatusPage(page, a);
    await page.locator('article.peer').first().waitFor();
    await page.locator('#refusals li', { hasText: 'unbreakableunbreakable' }).waitFor();
    await page.locator('#file-conflicts li', { hasText: 'sync-conflict' }).waitFor();
    const widths = await page.evaluate<{ scroll: number; viewport: number }>('({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })');
    expect(widths.viewport).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'status-phone', { fullPage: true });
    // B only received the copy (A's round kept it): its page lists it from its disk once a round scanned its root again.
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    const other = await openPage({ width: 390, height: 844 });
    await openStatusPage(other, b);
    await other.locator('#file-conflicts li', { hasText: 'scouting-schedule-for-the-whole-event.sync-conflict-' }).filter({ hasText: 'on disk' }).waitFor();
  });

  it('shows deletions held back by the mass-delete guard, and makes them when the operator presses "Delete them"', async () => {
    const [a, b] = peers();
    const names = Array.from({ length: 10 }, (_, i) => `drill-${i}.json`);
    for (const name of names) put(path.join(a.dataDir, 'static', 'drills'), name, `{"drill":"${name}"}`);
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    for (const name of names) rmSync(path.join(b.dataDir, 'static', 'drills', name));
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    expect(readdirSync(path.join(a.dataDir, 'static', 'drills'))).toHaveLength(10); // held: every file kept

    const page = await openPage();
    await openStatusPage(page, a);
    const held = page.locator('#held-list li', { hasText: 'would delete 10 of 10 files on this server' });
    await held.waitFor();
    await saveScreenshot(page, 'status-held-deletions');
    const [sent] = await Promise.all([page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/deletions/confirm')), held.locator('button').click()]);
    expect(sent.postDataJSON()).toEqual({ peer: b.syncUrl, root: 'static' });
    await page.locator('#message', { hasText: 'confirmed: 10 files deleted' }).waitFor();
    expect(existsSync(path.join(a.dataDir, 'static', 'drills'))).toBe(false); // every file deleted: the folder they left empty too
    await page.locator('#held').waitFor({ state: 'hidden' });
  });

  it('shows a peer that is down: its name, the error, the next retry and the changes not yet delivered to it', async () => {
    const [a, , c] = peers();
    const closed = new Promise<void>((resolve) => c.listener.close(() => resolve()));
    c.listener.closeAllConnections(); // close() alone waits for a request in flight
    await closed;
    await request(a.url).post('/api/teams').send({ number: 4414, name: 'HighTide' }).expect(201);
    a.sync.start(60_000);
    const page = await openPage();
    await openStatusPage(page, a);
    // Its retries run every few seconds (the card says "Syncing…", without a next retry, meanwhile): wait for a
    // draw of the card unreachable, then read that one draw at once, never field by field across refreshes.
    const card = page
      .locator(`article[data-peer="${c.syncUrl}"]`)
      .filter({ has: page.locator('[data-field=state]', { hasText: 'Unreachable' }) })
      .filter({ has: page.locator('[data-field=next]') });
    await card.waitFor();
    const drawn = await card.evaluate((node) => ({
      name: node.querySelector('h3')?.textContent,
      error: node.querySelector('[data-field=error]')?.textContent,
      next: node.querySelector('[data-field=next]')?.textContent,
      retryLabels: Array.from(node.querySelectorAll('dt') as unknown as ArrayLike<{ textContent: string | null }>).filter((dt) => dt.textContent?.includes('Next retry')).length,
      undelivered: node.querySelector('[data-field=undelivered]')?.textContent,
    }));
    expect(drawn.name).toBe('server-2');
    expect(drawn.error).toMatch(/^(ECONNREFUSED|ECONNRESET): .* is unreachable/);
    expect(drawn.next).toMatch(/^in \d+ s$|^due now$/);
    expect(drawn.retryLabels).toBe(1);
    expect(Number(drawn.undelivered?.split(' ')[0])).toBeGreaterThan(0);
    await saveScreenshot(page, 'status-peer-down');
    await a.sync.stop();
  });

  it('uploading a database file shows a readable refusal and writes nothing', async () => {
    const [, b] = peers();
    const page = await openPage();
    const pit = path.join(b.dataDir, 'uploads', 'pit');
    const before = readdirSync(pit).sort();
    expect(await uploadPhoto(page, b, 'app.db', Buffer.from('SQLite format 3\0 pretend pages'))).toBe(403);
    expect(await page.textContent('h1')).toBe('Not saved');
    expect(await page.textContent('.problems')).toContain('Database files are never uploaded');
    await page.locator('a[href="/photos"]', { hasText: 'Back to the pit photos' }).waitFor();
    expect(readdirSync(pit).sort()).toEqual(before);
  });

  it('says on the status page when this server took a new site id by itself, and that there is nothing to do', async () => {
    const [, b] = peers();
    const before = b.sync.tracker?.siteId;
    // As when a peer holds more of this site's changes than this database has (an older copy put back).
    const changed = b.sync.tracker?.checkOwnHistory({ seq: Number.MAX_SAFE_INTEGER, mark: null });
    expect(changed).toMatchObject({ code: 'SITE_REWOUND', previous: before });
    const page = await openPage();
    await openStatusPage(page, b);
    const text = page.locator('#identity-text', { hasText: 'SITE_REWOUND' });
    await text.waitFor();
    expect(await text.textContent()).toContain(`took the new site id ${changed?.current ?? '?'} (was ${before ?? '?'}) by itself`);
    expect(await page.locator('#identity').isVisible()).toBe(true);
  });
});
