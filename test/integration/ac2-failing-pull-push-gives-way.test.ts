import { randomUUID } from 'node:crypto';
import { captureLog, type CapturedLog } from '../helpers/log';
import { startPeers, type LivePeer } from '../helpers/peers';

/**
 * A peer whose own pulls keep failing (its disk full: here its `max_page_count`, the
 * same SQLITE_FULL) asks this server for the same pages again and again. This
 * server's push to it gave way to each of those pulls (the pull "carries the same
 * changes"), so its rounds with that peer ended `ok`, logged `sync.round` and reset
 * its failures, while nothing reached the peer: /status, the status page and the
 * CLI said OK between rounds that said INSUFFICIENT_STORAGE. A pull that asks
 * again for pages already served did not land: the push no longer gives way to it,
 * and reads the peer's refusal.
 */
describe('a push never gives way to a pull that already failed to land', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let logs: Map<string, CapturedLog>;
  let here: LivePeer;
  let full: LivePeer;

  beforeEach(async () => {
    logs = new Map();
    cluster = await startPeers(2, 'mesh', {
      loggerFor: (name) => {
        const log = captureLog();
        logs.set(name, log);
        return log.logger;
      },
    });
    [here, full] = cluster.peers as [LivePeer, LivePeer];
    expect((await here.sync.syncNow()).every((result) => result.ok)).toBe(true);
    full.db.pragma(`max_page_count = ${Number(full.db.pragma('page_count', { simple: true })) + 4}`);
    const insert = here.db.prepare("INSERT INTO app_events (id, at, kind, detail) VALUES (?, '2026-12-05', 'bulk', ?)");
    here.db.transaction(() => {
      for (let index = 0; index < 200; index += 1) insert.run(randomUUID(), 'x'.repeat(2000));
    })();
  });
  afterEach(async () => {
    await cluster.close();
  });

  it("the peer's failed pulls leave this server's rounds failing with the peer's code, never ok", async () => {
    const [firstPull] = await full.sync.syncNow();
    expect(firstPull?.error?.code).toBe('SQLITE_FULL');
    const [againPull] = await full.sync.syncNow(); // the same pages asked for again: the first pull did not land
    expect(againPull?.error?.code).toBe('SQLITE_FULL');

    const [round] = await here.sync.syncNow();
    expect(round?.ok).toBe(false);
    expect(round?.error?.code).toBe('INSUFFICIENT_STORAGE');
    const status = here.sync.client?.peerStatuses()[0];
    expect(status).toMatchObject({ state: 'failing', lastErrorCode: 'INSUFFICIENT_STORAGE' });
    expect(status?.undeliveredChanges).toBeGreaterThan(0);
    expect(logs.get(`server-${here.index}`)?.events('sync.failed').at(-1)).toMatchObject({ code: 'INSUFFICIENT_STORAGE' });

    full.db.pragma('max_page_count = 1073741823'); // room again
    const [healed] = await here.sync.syncNow();
    expect(healed?.ok).toBe(true);
    expect(here.sync.client?.peerStatuses()[0]).toMatchObject({ state: 'ok', lastErrorCode: null, undeliveredChanges: 0 });
    expect(full.db.prepare("SELECT count(*) FROM app_events WHERE kind = 'bulk'").pluck().get()).toBe(200);
  });
});
