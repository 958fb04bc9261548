import path from 'node:path';
import request from 'supertest';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { TEST_TOKEN } from '../helpers/server';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

/** Markup that runs script when a page puts it in as HTML, each with its own flag (no `/`: the names also name the data folders). */
const hostile = (flag: number): string => `<img src=x onerror="window.__pwned=${flag}"><svg onload="window.__pwned=${flag}">`;
const NAME_A = `A ${hostile(1)}`;
const NAME_B = `B ${hostile(2)}`;
const SCOUT = `scout ${hostile(3)}`;
const NOTES = `notes ${hostile(4)}`;
/** A file name no route takes (`<`, `>`, `"`): reported under "File names to fix", with its path. */
const FILE = `photo ${hostile(5)}.jpg`;

/** Parks one data conflict on A: the same (match, team, scout) report entered on A and on B, with markup in its values. */
async function parkHostileConflict(a: DemoServer, b: DemoServer): Promise<void> {
  const team = await request(a.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' }).expect(201);
  const match = await request(a.url).post('/api/matches').send({ label: 'QF1' }).expect(201);
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
  const ids = { match_id: (match.body as { id: string }).id, team_id: (team.body as { id: string }).id };
  await request(a.url).post('/api/reports').send({ ...ids, scout: SCOUT, notes: `${NOTES} on A` }).expect(201);
  await request(b.url).post('/api/reports').send({ ...ids, scout: SCOUT, notes: `${NOTES} on B` }).expect(201);
  await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
}

describeWithChromium('status page: names and values a peer or a user chose are shown as text, never run', () => {
  let browser: TestBrowser | undefined;
  let cluster: DemoCluster | undefined;
  const temp = tempDir('ess-h3-hostile-');
  beforeAll(async () => {
    browser = await launchChromium();
    cluster = await startDemoCluster([NAME_A, NAME_B], temp.dir, TEST_TOKEN);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    temp.cleanup();
  });

  it('a peer named with markup, a conflict whose values hold markup and a file name with markup: all as text, no script runs', async () => {
    const [a, b] = (cluster as DemoCluster).servers as [DemoServer, DemoServer];
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      await parkHostileConflict(a, b);
      put(path.join(a.dataDir, 'uploads'), FILE, 'jpeg');
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200); // the round scans the root and finds the name
      await openStatusPage(page, a);
      await page.locator('#peers .card', { hasText: NAME_B }).waitFor();
      await page.locator('#conflicts', { hasText: SCOUT }).waitFor();
      await page.locator('#names', { hasText: FILE }).waitFor();
      expect(await page.locator('#site').textContent()).toContain(NAME_A);
      expect(await page.locator('#conflicts').textContent()).toContain(`${NOTES} on B`);
      // Nothing the servers sent became an element, and no handler or script ran.
      expect(await page.locator('#status img, #status script, #site img, #site script').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
