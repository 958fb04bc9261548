import express from 'express';
import { mountStatusPage } from '../../routes/status-page';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { DIRECTION_CONTROLS, hostileStatus, peerErrorCodes } from '../helpers/h6-hostile-status';
import { startServer, type TestServer } from '../helpers/server';
import { openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

/**
 * A careless operator's status page: 50 peers, every code a peer can be in (API.md), names and
 * messages holding markup, text-direction controls and 10 kB of text. The page is the real one;
 * the `/status` it reads is what a server (or a hostile peer, through it) could answer.
 */
describeWithChromium('status page: 50 peers, every error code, hostile and huge texts', () => {
  let browser: TestBrowser | undefined;
  let server: TestServer | undefined;
  const codes = peerErrorCodes();
  beforeAll(async () => {
    browser = await launchChromium();
    const router = express.Router();
    mountStatusPage(router);
    router.get('/status', (_req, res) => res.json(hostileStatus(codes)));
    router.get('/data/conflicts', (_req, res) => res.json({ conflicts: [] }));
    const app = express();
    app.use('/api/sync', router);
    server = await startServer(app);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows every peer and code as text, with no direction control, no markup run, no sideways scroll at 390 px', async () => {
    expect(codes.length).toBeGreaterThan(20);
    const page = await (browser as TestBrowser).context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await openStatusPage(page, server as TestServer);
      const cards = page.locator('#peers .card');
      expect(await cards.count()).toBe(50);
      for (let i = 0; i < 50; i += 1) {
        expect(await cards.nth(i).locator('[data-field=error]').textContent()).toMatch(new RegExp(`^${codes[i % codes.length]}: `));
      }
      expect(await page.locator('#status img, #status script, #status b, #site img, #site b').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain('potpal tip'); // shown, its direction controls replaced
      expect(DIRECTION_CONTROLS.test(text)).toBe(false); // (a boolean: the page's text is 1 MB)
      // 10 kB of text is cut at 2,000 characters, saying how much more there was.
      const cut = (await cards.nth(2).locator('[data-field=error]').textContent()) ?? '';
      expect(cut).toMatch(new RegExp(`^${codes[2]}: x+… \\(\\d+ more characters\\)$`));
      expect(cut.indexOf('…')).toBe(2000);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    } finally {
      await page.close();
    }
  }, 60_000);
});
