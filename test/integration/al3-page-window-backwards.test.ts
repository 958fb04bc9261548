import { trackedDb } from '../helpers/data';
import { expectPageRefused } from '../helpers/refused-page';
import { makeApp, startServer, type TestServer } from '../helpers/server';

// A page's window never ends before it starts: a sender answers `next` = `since` for a `since`
// past its seq. A hand-made page with `next` below `since` was applied, and its `next` kept
// (past the receiver's pull cursor) as what the receiver knows of the sender's history, which
// the sender's handshake then reads. It is refused now, nothing written.
describe('POST /data/changes with `next` below `since`', () => {
  let server: TestServer;
  let target: ReturnType<typeof trackedDb>;
  let sender: ReturnType<typeof trackedDb>;
  beforeEach(async () => {
    target = trackedDb();
    sender = trackedDb();
    sender.db.exec("INSERT INTO teams VALUES ('t2', 'Sprockets', 1114, 2.5, NULL)");
    server = await startServer(makeApp({ database: target.db, tables: ['teams', 'reports'] }));
  });
  afterEach(async () => {
    await server.close();
    target.cleanup();
    sender.cleanup();
  });

  it.each([
    ['protocol 1', () => sender.tracker.readChanges(0, 100)],
    ['protocol 2', () => sender.tracker.readCompactChanges(0, 100)],
  ])('%s: 400 INVALID_CHANGESET, no row, no cursor, no view; the honest page still applies', async (_name, read) => {
    const page = read();
    await expectPageRefused(server.url, target, { ...page, since: 10, next: 5 }, 400, 'INVALID_CHANGESET');
    expect(target.db.prepare('SELECT count(*) FROM _sync_peer_views').pluck().get()).toBe(0);
    expect(target.tracker.applyChangeset(page)).toMatchObject({ applied: 1 });
    expect(target.tracker.pullCursor(sender.tracker.siteId)).toBe(page.next);
  });
});
