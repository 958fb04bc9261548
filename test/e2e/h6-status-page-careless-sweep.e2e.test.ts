import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { mountStatusPage } from '../../routes/status-page';
import { describeWithChromium, launchChromium, type TestBrowser } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';
import { openStatusPage, STEP_TIMEOUT_MS } from '../helpers/status-page';

/** Every code of API.md's "Error codes (sync client)" table: the codes a peer can be in. */
function peerErrorCodes(): string[] {
  const api = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');
  const section = api.slice(api.indexOf('### Error codes (sync client)'), api.indexOf('## Command line'));
  const codes = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] as string));
  return [...new Set(codes)];
}

/** Markup that runs script when put in as HTML. */
const MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
/** Text-direction controls: "\u202e" shows what follows it backwards, so a name can pass for another. */
const BIDI = '\u202epotpal tip\u202c \u2067isolated\u2069 \u200fmark';
const LONG = `${'x'.repeat(5000)} ${'word '.repeat(1000)}`; // 10 kB: one unbroken run, then words
const DIRECTION_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A `/status` answer as a server of this version could send it, with 50 peers in every state and code, their texts hostile. */
function hostileStatus(codes: readonly string[]): unknown {
  const peers = Array.from({ length: 50 }, (_, i) => {
    const code = codes[i % codes.length] as string;
    const text = [MARKUP, BIDI, LONG][i % 3] as string;
    return {
      url: `http://10.0.0.${i}:5000/api/sync`,
      name: i % 5 === 4 ? null : `peer ${i} ${text.slice(0, 200)}`,
      siteId: null,
      state: ['failing', 'unreachable', 'wrong-token', 'ok', 'syncing', 'never-synced'][i % 6],
      running: false,
      lastSuccessAt: null,
      lastError: `${code}: ${text}`,
      lastErrorCode: code,
      failures: i,
      nextRunAt: new Date(Date.now() + 60_000).toISOString(),
      lastContactAt: null,
      lagChanges: null,
      undeliveredChanges: 3,
      clockSkewMs: null,
      heldDeletions: [],
      lastResult: {
        peer: `http://10.0.0.${i}:5000/api/sync`, ok: false, rowsPulled: 0, rowsPushed: 0, filesUp: 0, filesDown: 0, filesDeleted: 0, dataConflicts: 0, fileConflicts: [],
        durationMs: 5, error: { code, message: text }, fileErrors: [{ path: `uploads/${MARKUP}`, code: 'PATH_CONFLICT', message: BIDI }], fileErrorCount: 1,
        heldDeletions: [], warnings: [{ code: 'UNKNOWN_ROOT', root: `r${BIDI}`, message: `${MARKUP}${LONG}` }],
      },
    };
  });
  return {
    name: `this ${BIDI} ${MARKUP}`, site: 'a'.repeat(32), seq: 1, conflicts: 0, peers,
    heldDeletions: [{ peer: peers[0]?.url, root: 'static', side: 'here', count: 9, files: 10, percent: 90, maxDeletePercent: 50, examples: [`static/${MARKUP}`, `static/${BIDI}`] }],
    fileConflicts: [{ path: `uploads/${BIDI}.json`, copyPath: `uploads/${MARKUP}`, peer: `p ${BIDI}`, at: new Date().toISOString() }],
    refusals: [], identityChange: null, dataError: null, fileNameProblems: [],
    transports: [{ kind: 'nats', name: `nats:${BIDI}`, state: 'failing', position: 1, lag: 2, lastError: { code: 'CLOCK_SKEW', message: `${MARKUP} ${BIDI} ${LONG}` },
      nats: { servers: [], connectedTo: null, stream: `S${BIDI}`, subject: 's', streamFirstSeq: 1, streamLastSeq: 2, appliedSeq: 1, publishedSeq: 1, unpublished: 0, messagesPublished: 0, messagesApplied: 0, messagesRefused: 0, catchUp: null, lastCatchUp: null } }],
  };
}

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
