import { FleetSeal } from '../../../lib/peers/nats/fleet-seal';
import { NatsLink } from '../../../lib/peers/nats/nats-link';
import { resolveNatsOptions } from '../../../lib/peers/nats/nats-options';
import { OutgoingPages } from '../../../lib/peers/nats/outgoing-pages';
import { trackedDb, type TempDb } from '../../helpers/data';
import type { ChangeTracker } from '../../../lib/data/change-tracker';

// The NATS publisher reads this site's pages for the stream. While the app
// holds a transaction open on the sync connection those pages could hold
// writes that roll back afterwards, and every node reading the stream would
// keep them: the read is refused (the flush fails and the next one resumes).
// The link is never connected: reading pages only asks it for max_payload.
describe('OutgoingPages while the app holds a transaction open', () => {
  let source: TempDb & { readonly tracker: ChangeTracker };
  afterEach(() => {
    if (source.db.inTransaction) source.db.exec('ROLLBACK');
    source.cleanup();
  });

  it('refuses to read a page with IN_TRANSACTION, and reads it once the transaction has ended', () => {
    source = trackedDb();
    source.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.0, NULL)");
    const pages = new OutgoingPages(new NatsLink(resolveNatsOptions({ servers: 'nats://127.0.0.1:1', stream: 'S' })), source.tracker, 'ess.test', 512 * 1024, new FleetSeal([]));
    source.db.exec("BEGIN; INSERT INTO teams VALUES ('ghost', 'Ghost', 1, 1.0, NULL)");
    expect(() => pages.read(0)).toThrow(expect.objectContaining({ code: 'IN_TRANSACTION' }));
    source.db.exec('ROLLBACK');
    const page = pages.read(0);
    expect(page.message).toBeDefined();
    expect(page.message?.body.toString()).toContain('t1');
    expect(page.message?.body.toString()).not.toContain('ghost');
  });
});
