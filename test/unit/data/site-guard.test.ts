import { greaterSiteId } from '../../../lib/data/site-identity';
import { pullAll, trackedDb } from '../../helpers/data';

describe('site identity guard', () => {
  it('gives each served page a mark, the same for the same seq, and the receiver keeps it with its cursor', () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
      const page = a.tracker.readChanges(0, 10, b.tracker.siteId);
      expect(page.mark).toMatch(/^[0-9a-f]{16}$/);
      expect(a.tracker.readChanges(0, 10, b.tracker.siteId).mark).toBe(page.mark);
      b.tracker.applyChangeset(page);
      expect(b.tracker.peerView(a.tracker.siteId)).toEqual({ seq: page.next, mark: page.mark });
      expect(a.tracker.checkOwnHistory(b.tracker.peerView(a.tracker.siteId))).toBeUndefined();
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it.each<[string, (seq: number, mark: string | null) => { seq: number; mark: string | null }, string]>([
    ['a cursor beyond the local seq (a rewound file)', (seq, mark) => ({ seq: seq + 5, mark }), 'SITE_REWOUND'],
    ['a mark this history never recorded (a copy)', (seq) => ({ seq, mark: '0123456789abcdef' }), 'SITE_CLONED'],
  ])('%s: takes a new, greater site id by itself and sends everything again', (_name, view, code) => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
      pullAll(a.tracker, b.tracker);
      a.tracker.savePushCursor(b.tracker.siteId, a.tracker.info().seq);
      const { seq, mark } = b.tracker.peerView(a.tracker.siteId);
      const before = a.tracker.siteId;
      const changed = a.tracker.checkOwnHistory(view(seq, mark));
      expect(changed).toEqual({ code, detail: expect.any(String), previous: before, current: a.tracker.siteId });
      expect(a.tracker.siteId > before).toBe(true);
      expect(a.tracker.pushCursor(b.tracker.siteId)).toBe(0);
      // Its rows now travel under the new id; the peer takes them (same values, the greater id wins the tie).
      expect(a.tracker.readChanges(0, 10, b.tracker.siteId).changes).toHaveLength(1);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('reports two URLs answering as one site (two instances) lately, not one URL seen again or one server at two URLs', () => {
    const a = trackedDb();
    try {
      const site = 'ab'.repeat(16);
      expect(a.tracker.notePeer('http://one', site, 'i1')).toBeUndefined();
      expect(a.tracker.notePeer('http://one', site, 'i2')).toBeUndefined(); // restarted
      expect(a.tracker.notePeer('http://two', site, 'i2')).toBeUndefined(); // the same server at another URL
      expect(a.tracker.notePeer('http://three', site, 'i3')).toBe('http://two');
      expect(a.tracker.peerSiteAt('http://two')).toBe(site);
    } finally {
      a.cleanup();
    }
  });

  it.each(['00'.repeat(16), '7f'.repeat(16), 'fe'.repeat(16), 'ff'.repeat(15) + 'fe'])('a new site id is greater than %s', (previous) => {
    for (let i = 0; i < 20; i += 1) {
      const next = greaterSiteId(previous);
      expect(next).toMatch(/^[0-9a-f]{32}$/);
      expect(next > previous).toBe(true);
    }
  });
});
