import path from 'node:path';
import request from 'supertest';
import { FILE_ERRORS_LISTED } from '../../lib/peers/sync-status';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { put } from '../helpers/file-roots';
import { startPeers } from '../helpers/peers';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

/** Paths that are a file on one server and a folder of files on the other: two file errors each. */
const CLASHES = 15;

describeWithChromium('status page: a round with many file errors', () => {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`lists the ${FILE_ERRORS_LISTED} of lastResult.fileErrors, then "… and N more" of fileErrorCount`, async () => {
    const { peers, close } = await startPeers(2, 'chain');
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const [a, b] = [peers[0]!, peers[1]!];
      for (let i = 0; i < CLASHES; i += 1) {
        put(path.join(a.dataDir, 'uploads'), `clash-${i}`, 'a file here');
        put(path.join(b.dataDir, 'uploads'), `clash-${i}/inside.txt`, 'a folder there');
      }
      await request(a.url).post('/api/sync/run').set(AUTH).expect(502); // a round whose file steps cannot heal by themselves (PATH_CONFLICT) fails
      await openStatusPage(page, a);
      await page.locator('#refusals li', { hasText: `… and ${2 * CLASHES - FILE_ERRORS_LISTED} more file errors` }).waitFor();
      expect(await page.locator('#refusals li', { hasText: 'PATH_CONFLICT: uploads/clash-' }).count()).toBe(FILE_ERRORS_LISTED);
    } finally {
      await page.close();
      await close();
    }
  }, 60_000);
});
