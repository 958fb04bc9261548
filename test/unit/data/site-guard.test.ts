import { enableCapture } from '../../../lib/data/capture';
import { giveNewSiteId, greaterSiteId } from '../../../lib/data/site-identity';
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

  it('a site two servers answer is contested for either URL, whichever came first; forgetting its cursors keeps what the pull cursor said as the view', () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      const site = b.tracker.siteId;
      expect(a.tracker.notePeer('http://copy', site, 'c')).toBeUndefined();
      expect(a.tracker.notePeer('http://original', site, 'o')).toBe('http://copy');
      expect(a.tracker.peerSiteRival('http://copy', site)).toBe('http://original');
      expect(a.tracker.peerSiteContested(site)).toBe(true);
      expect(a.tracker.notePeer('http://copy', 'cd'.repeat(16), 'c2')).toBeUndefined(); // the copy took a new id
      expect(a.tracker.peerSiteRival('http://original', site)).toBeUndefined();
      expect(a.tracker.peerSiteContested(site)).toBe(false);

      b.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
      pullAll(b.tracker, a.tracker);
      a.tracker.savePushCursor(site, 5);
      const view = a.tracker.peerView(site);
      expect(view.seq).toBeGreaterThan(0);
      a.tracker.forgetPeerCursors(site);
      expect({ pull: a.tracker.pullCursor(site), push: a.tracker.pushCursor(site), view: a.tracker.peerView(site) }).toEqual({ pull: 0, push: 0, view });
    } finally {
      a.cleanup();
      b.cleanup();
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

describe('a copy of a copy', () => {
  it('takes a new id whose rows every peer still accepts, even when it sorts after a site whose copy of a cell won the tie here', () => {
    const [c, fresh] = [trackedDb(), trackedDb()];
    try {
      c.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, 1.5, NULL)");
      c.tracker.info(); // folds
      const { born, hlc, tbl } = c.db.prepare("SELECT born, hlc, tbl FROM _sync_rows WHERE pk = 't1'").get() as { born: number; hlc: number; tbl: number };
      const col = c.db.prepare("SELECT id FROM _sync_columns WHERE tbl = ? AND name = 'name'").pluck().get(tbl) as number;
      // The state a copy's copy meets: this site is '11…', and another site '22…' (a copy of it, with a greater id) won the tie of one cell.
      const other = '2'.repeat(32);
      c.db.prepare('UPDATE _sync_sites SET site = ? WHERE id = 0').run('1'.repeat(32));
      const otherId = Number(c.db.prepare('INSERT INTO _sync_sites (site) VALUES (?)').run(other).lastInsertRowid);
      c.db.prepare('INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ?, ?)').run(tbl, 't1', col, hlc, otherId, born);
      let current = '';
      while (current <= other) current = giveNewSiteId(c.db).current; // a new id that sorts after the other site's
      const copy = enableCapture(c.db, { tables: ['teams', 'reports'] });
      expect(() => fresh.tracker.applyChangeset(copy.readChanges(0, 100))).not.toThrow();
      expect(fresh.db.prepare('SELECT name, number FROM teams').raw(true).all()).toEqual([['Robots', 254]]);
    } finally {
      c.cleanup();
      fresh.cleanup();
    }
  });
});
