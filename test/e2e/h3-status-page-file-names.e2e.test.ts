import path from 'node:path';
import request from 'supertest';
import { NAME_REPORT_LIMIT } from '../../lib/files/name-report';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

const MORE = 4;

describeWithChromium('status page: file names that do not sync', () => {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`shows the root, the count, the first ${NAME_REPORT_LIMIT} names with why, then "… and N more"; hidden when there are none`, async () => {
    const { peers, close } = await startPeers(2, 'chain');
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const [a] = [peers[0]!];
      await openStatusPage(page, a);
      expect(await page.locator('#names').isHidden()).toBe(true);
      for (let i = 0; i < NAME_REPORT_LIMIT + MORE; i += 1) put(path.join(a.dataDir, 'uploads'), `Cafe\u0301-${String(i).padStart(2, '0')}.jpg`, 'NFD');
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200); // the round scans the root
      await page.locator('#names li', { hasText: `uploads: ${NAME_REPORT_LIMIT + MORE} file or folder name(s) left out of sync` }).waitFor();
      expect(await page.locator('#names li li', { hasText: 'not in Unicode NFC form' }).count()).toBe(NAME_REPORT_LIMIT);
      expect(await page.locator('#names li li', { hasText: `… and ${MORE} more` }).count()).toBe(1);
    } finally {
      await page.close();
      await close();
    }
  }, 60_000);

  it('shows the paths that differ only in case, as a group', async () => {
    const { peers, close } = await startPeers(2, 'chain');
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const [a] = [peers[0]!];
      put(path.join(a.dataDir, 'config'), 'Config.json', '{"team":971}');
      put(path.join(a.dataDir, 'config'), 'config.json', '{"team":254}');
      await request(a.url).post('/api/sync/run').set(AUTH).expect(200);
      await openStatusPage(page, a);
      await page.locator('#names li', { hasText: 'config: 1 group(s) of paths that differ only in letter case' }).waitFor();
      expect(await page.locator('#names li li', { hasText: 'Config.json · config.json' }).count()).toBe(1);
    } finally {
      await page.close();
      await close();
    }
  }, 60_000);
});
