import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp } from '../../sample-app/server';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { TEST_TOKEN } from '../helpers/server';
import { openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

const PEER = 'http://127.0.0.1:9/api/sync';
const YEAR_MS = 365 * 24 * 3600 * 1000;

// A last success recorded while this server's clock was a year ahead showed "Last success: in 8760 h".
describeWithChromium('status page: a last success ahead of the server\'s clock', () => {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('says it was recorded while a clock was wrong', async () => {
    const temp = tempDir('ess-h3-future-');
    const dataDir = path.join(temp.dir, 'server');
    mkdirSync(path.join(dataDir, '.sync-state'), { recursive: true });
    const ahead = Date.now() + YEAR_MS;
    writeFileSync(path.join(dataDir, '.sync-state', 'peers.json'), JSON.stringify({ version: 1, peers: {}, lastSuccess: { [PEER]: ahead } }));
    const app = await startSampleApp(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN, PORT: '0', HOST: '127.0.0.1', SYNC_PEERS: PEER }), silentLogger);
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      await openStatusPage(page, { url: app.url });
      const lastSuccess = page.locator('[data-field=last-success]');
      await lastSuccess.waitFor();
      expect(await lastSuccess.textContent()).toBe(`${new Date(ahead).toISOString()} (ahead of the server's clock by ${Math.round(YEAR_MS / 3_600_000)} h: a clock was wrong when it was recorded)`);
    } finally {
      await page.close();
      await app.close();
      temp.cleanup();
    }
  }, 60_000);
});
