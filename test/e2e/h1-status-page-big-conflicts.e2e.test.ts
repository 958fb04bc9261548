import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { startPeers, type LivePeer } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

/** Conflicts parked on A, each with notes of this many characters on both sides (~300 KB of JSON an entry: 3 a page). */
const CONFLICTS = 6;
const NOTES = 150 * 1024;

/**
 * `GET /data/conflicts` cuts a page at 1 MiB; the status page must then read
 * on while the answer says `more` (it took a page shorter than 100 for the last one).
 */
describeWithChromium('status page: data conflicts with big cells, a page cut by its size', () => {
  let browser: TestBrowser | undefined;
  let cluster: Awaited<ReturnType<typeof startPeers>> | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startPeers(2, 'mesh');
    const [a, b] = cluster.peers as [LivePeer, LivePeer];
    const team = await request(a.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201);
    const match = await request(a.url).post('/api/matches').send({ label: 'QF1' }).expect(201);
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
    for (const side of [a, b]) {
      const insert = side.db.prepare('INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at) VALUES (?, ?, ?, ?, 0, 0, ?, ?)');
      for (let i = 0; i < CONFLICTS; i += 1) insert.run(randomUUID(), (match.body as { id: string }).id, (team.body as { id: string }).id, `scout ${i}`, String(i).repeat(NOTES), new Date().toISOString());
    }
    await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await cluster?.close();
  });

  it('shows the first page, and "Next" reaches the rest', async () => {
    const [a] = (cluster as { peers: LivePeer[] }).peers as [LivePeer];
    const answer = await request(a.url).get('/api/sync/data/conflicts').set(AUTH).expect(200);
    const first = (answer.body.conflicts as unknown[]).length;
    expect(answer.body.more).toBe(true);
    expect(first).toBeLessThan(CONFLICTS);
    page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await openStatusPage(page, a);
    const summary = page.locator('#conflict-summary');
    await summary.filter({ hasText: `Showing 1–${first} of ${CONFLICTS}.` }).waitFor();
    expect(await page.locator('#conflicts-next').isDisabled()).toBe(false);
    await page.click('#conflicts-next');
    await summary.filter({ hasText: `Showing ${first + 1}–` }).waitFor();
    for (let turn = 0; turn < CONFLICTS && !(await page.locator('#conflicts-next').isDisabled()); turn += 1) {
      const shown = Number(/–(\d+) of/.exec((await summary.textContent()) ?? '')?.[1]);
      await page.click('#conflicts-next');
      await summary.filter({ hasText: `Showing ${shown + 1}–` }).waitFor();
    }
    await summary.filter({ hasText: `–${CONFLICTS} of ${CONFLICTS}.` }).waitFor();
    await page.click('#conflicts-previous');
    // The summary says "of N." on the last page too: wait for the page before it to be drawn.
    await summary.filter({ hasNotText: `–${CONFLICTS} of ${CONFLICTS}.` }).filter({ hasText: `of ${CONFLICTS}.` }).waitFor();
    expect(await page.locator('#conflicts-next').isDisabled()).toBe(false);
  });
});
