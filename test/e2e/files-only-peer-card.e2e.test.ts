import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { peerCardAfterRound } from '../helpers/status-page';
import { startUnknownRootPair, type UnknownRootPair } from '../helpers/unknown-root-pair';

/**
 * A server with data whose peer syncs files only (a router without a database) showed that peer as failing with
 * `DATA_OFF` though its files synced as configured. Its card now says OK, with a note that the peer syncs files only,
 * and no data figures that would never move.
 */
describeWithChromium('status page: a peer that syncs files only', () => {
  let browser: TestBrowser | undefined;
  let pair: UnknownRootPair;

  beforeAll(async () => {
    browser = await launchChromium();
    pair = await startUnknownRootPair('ess-files-only-card-', 'files only', false);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pair?.close();
  });

  it('is OK, says "Files only" on its card, shows no data lag and no error', async () => {
    await peerCardAfterRound(browser as TestBrowser, pair, async (card) => {
      expect(await card.locator('[data-field=files-only]').textContent()).toBe('Files only: this peer runs without a database; its files sync, no data does');
      expect(await card.locator('[data-field=undelivered], [data-field=lag], [data-field=skew], [data-field=error]').count()).toBe(0);
      expect(await card.locator('[data-field=warning]').count()).toBe(1); // the round's own warnings still show
    });
  }, 60_000);
});
