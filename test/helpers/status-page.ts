import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { PeerSyncResult } from '../../index';
import type { TestBrowser } from './browser';
import request from 'supertest';
import { put } from './file-roots';
import type { LivePeer } from './peers';
import { TEST_TOKEN } from './server';
import type { UnknownRootPair } from './unknown-root-pair';

/** Waits that fail well inside jest's 60 s test timeout, with Playwright's own message. */
export const STEP_TIMEOUT_MS = 20_000;
/** The sync token's header, as a peer sends it. */
export const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** The page's globals the tests read (the test code has no DOM types: it runs in node, its callbacks in the page). */
export interface PageGlobals {
  readonly document: {
    getElementById(id: string): { readonly dataset: Record<string, string | undefined>; readonly textContent: string | null } | null;
    querySelectorAll(selector: string): { readonly length: number };
  };
}

/** How many refreshes the page has drawn (`#status[data-refreshes]`), read in the page. */
export function refreshesDrawn(): number {
  return Number((globalThis as unknown as PageGlobals).document.getElementById('status')?.dataset.refreshes ?? 0);
}

/** Opens a server's status page, gives it the token and waits for the first refresh drawn. */
export async function openStatusPage(page: Page, server: Pick<LivePeer, 'url'>): Promise<void> {
  await page.goto(`${server.url}/api/sync/ui`);
  await page.fill('#token', TEST_TOKEN);
  await page.click('#login button[type=submit]');
  await page.waitForFunction(refreshesDrawn);
}

/** Waits until the page has drawn `count` more refreshes (every 3 s), within the step deadline. */
export async function waitForRefreshes(page: Page, count = 1): Promise<void> {
  const now = await page.evaluate(refreshesDrawn);
  await page.waitForFunction((target) => Number((globalThis as unknown as PageGlobals).document.getElementById('status')?.dataset.refreshes ?? 0) >= target, now + count);
}

/** Parks `count` data conflicts on A: the same (match, team, scout) report entered on A and on B. */
export async function parkConflicts(a: LivePeer, b: LivePeer, count: number): Promise<void> {
  const team = await request(a.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201);
  const match = await request(a.url).post('/api/matches').send({ label: 'QF1' }).expect(201);
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
  const ids = { match_id: (match.body as { id: string }).id, team_id: (team.body as { id: string }).id };
  for (let i = 0; i < count; i++) {
    const scout = `scout ${String(i).padStart(3, '0')}`;
    await request(a.url).post('/api/reports').send({ ...ids, scout, notes: `${scout} on A\nits second line` }).expect(201);
    await request(b.url).post('/api/reports').send({ ...ids, scout, notes: `${scout} on B\nits second line` }).expect(201);
  }
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
}

/** Holds back the deletion of `count` files of A's `static` root: B deleted them all after they synced. */
export async function holdDeletions(a: LivePeer, b: LivePeer, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `held-${i}.json`);
  for (const name of names) put(path.join(a.dataDir, 'static', 'held'), name, `{"name":"${name}"}`);
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
  for (const name of names) rmSync(path.join(b.dataDir, 'static', 'held', name));
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
}

/**
 * Runs one round of the pair's node (it must end OK with the UNKNOWN_ROOT warning for `config`), opens
 * the local server's status page in `browser`, waits for the peer's card to say OK and hands it to
 * `look` with the round's result; the page is closed after.
 */
export async function peerCardAfterRound(browser: TestBrowser, pair: UnknownRootPair, look: (card: Locator, result: PeerSyncResult | undefined) => Promise<void>): Promise<void> {
  const [result] = await pair.node.syncNow();
  expect(result).toMatchObject({ ok: true, warnings: [{ code: 'UNKNOWN_ROOT', root: 'config' }] });
  const page = await browser.context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    await openStatusPage(page, pair.local);
    const card = page.locator('#peers .card');
    await card.locator('[data-field=state]', { hasText: 'OK' }).waitFor();
    await look(card, result);
  } finally {
    await page.close();
  }
}
