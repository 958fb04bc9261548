import request from 'supertest';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { AUTH, openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';
import { tempDir } from '../helpers/temp';

const STREAM = 'H6HELD';
/** The app's trigger on the reader refuses the sender's row, with markup in its words: the sender is held there. */
const LOCK = "CREATE TRIGGER no_locked BEFORE INSERT ON teams WHEN new.name = 'locked' BEGIN SELECT RAISE(ABORT, 'locked <img src=x onerror=\"window.__pwned=1\"> teams'); END";

/**
 * A NATS sender held at a message the reader must wait on shows on `/status` only through the NATS
 * transport's `lastError`: the status page's transport card must say its code and message (as text).
 */
describeWithChromium('status page: a held NATS sender', () => {
  describeWithNats('(real nats-server)', () => {
    let browser: TestBrowser | undefined;
    let nats: NatsServer | undefined;
    let cluster: DemoCluster | undefined;
    const temp = tempDir('ess-h6-nats-held-');
    beforeAll(async () => {
      browser = await launchChromium();
      nats = await startNatsServer();
      const transport = { nats: { servers: nats.url, stream: STREAM } };
      cluster = await startDemoCluster(['A', 'B'], temp.dir, TEST_TOKEN, () => [], { transport });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await cluster?.close();
      await nats?.close();
      temp.cleanup();
    });

    it('its transport card says failing, with the lastError code and message', async () => {
      const [a, b] = (cluster as DemoCluster).servers as [DemoServer, DemoServer];
      b.db.exec(LOCK);
      a.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t-locked', 1, 'locked');
      expect(await a.sync.client?.syncPeer(`nats:${STREAM}`)).toMatchObject({ ok: true });
      const held = await b.sync.client?.syncPeer(`nats:${STREAM}`);
      expect(held).toMatchObject({ ok: false, error: { code: 'APPLY_REFUSED' } });
      const status = (await request(b.url).get('/api/sync/status').set(AUTH).expect(200)).body as { transports: Array<{ kind: string; lastError: { code: string; message: string } | null }> };
      const shown = status.transports.find((t) => t.kind === 'nats')?.lastError;
      expect(shown?.code).toBe('APPLY_REFUSED');

      const page = await (browser as TestBrowser).context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      try {
        await openStatusPage(page, b);
        const card = page.locator('#transports .card[data-transport=nats]');
        await card.waitFor();
        expect(await card.locator('[data-field=state]').textContent()).toBe('failing');
        expect(await card.locator('[data-field=error]').textContent()).toBe(`APPLY_REFUSED: ${shown?.message}`);
        expect(shown?.message).toContain('<img');
        expect(await page.locator('#status img').count()).toBe(0);
        expect(await page.evaluate('window.__pwned')).toBeUndefined();
      } finally {
        await page.close();
      }
    }, 60_000);
  });
});
