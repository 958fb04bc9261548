import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { peerCardAfterRound } from '../helpers/status-page';
import { startUnknownRootPair, type UnknownRootPair } from '../helpers/unknown-root-pair';

/**
 * A round's warnings (`lastResult.warnings`: a root of this server the peer does not have, `UNKNOWN_ROOT`)
 * were printed by the CLI's `status` but not shown on the status page: the peer's card said "OK" while the
 * root's files never travelled to it. The card now lists each warning, as text.
 */
describeWithChromium('status page: a round\'s warnings on the peer\'s card', () => {
  let browser: TestBrowser | undefined;
  let pair: UnknownRootPair;

  beforeAll(async () => {
    browser = await launchChromium();
    pair = await startUnknownRootPair('ess-h6-warnings-', 'the peer <b>bold</b>');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pair?.close();
  });

  it('lists UNKNOWN_ROOT with its root and message under the peer, the state still OK', async () => {
    await peerCardAfterRound(browser as TestBrowser, pair, async (card, result) => {
      const warnings = card.locator('[data-field=warning]');
      expect(await warnings.count()).toBe(1);
      const text = await warnings.first().textContent();
      expect(text).toBe(`UNKNOWN_ROOT config: ${result?.warnings?.[0]?.message}`);
      expect(await card.locator('b').count()).toBe(0); // the peer's name is text
    });
  }, 60_000);
});
