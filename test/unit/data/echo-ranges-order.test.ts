import { META_DDL } from '../../../lib/data/capture-sql';
import { enableCapture } from '../../../lib/data/capture';
import { EchoRanges } from '../../../lib/data/echo-ranges';
import { TEST_SCHEMA, tempDb, trackedDb, type TempDb } from '../../helpers/data';

const SITE = 'a'.repeat(32);

/**
 * Windows of seqs a peer holds come in any order now: a pushed page's window
 * is recorded when the peer's answer comes, after windows of its own pages
 * applied meanwhile at higher seqs. They are kept sorted and merged, so a read
 * jumps over each of them, and a window's seqs are counted once.
 */
describe('EchoRanges with windows out of order', () => {
  let data: TempDb;
  let echo: EchoRanges;
  beforeEach(() => {
    data = tempDb();
    data.db.exec(META_DDL);
    echo = new EchoRanges(data.db);
  });
  afterEach(() => data.cleanup());

  it('skips every window whatever the order they came in', () => {
    echo.add(SITE, 50, 60);
    echo.add(SITE, 10, 20);
    echo.add(SITE, 30, 40);
    expect(echo.skip(SITE, 10)).toBe(20);
    expect(echo.skip(SITE, 30)).toBe(40);
    expect(echo.skip(SITE, 55)).toBe(60);
    expect(echo.skip(SITE, 25)).toBe(25);
    const inWindow = echo.skipper(SITE, 0);
    expect([15, 20, 21, 35, 45, 51, 60, 61].map((seq) => inWindow?.(seq))).toEqual([true, true, false, true, false, true, true, false]);
    expect(echo.nextStart(SITE, 0)).toBe(10);
  });

  it('merges overlapping and adjacent windows, so their seqs count once', () => {
    echo.add(SITE, 30, 40);
    echo.add(SITE, 10, 20);
    echo.add(SITE, 15, 35); // overlaps both
    echo.add(SITE, 40, 45); // adjacent
    expect(echo.covered(SITE, 0, 100)).toBe(35); // (10, 45]
    expect(echo.skip(SITE, 10)).toBe(45);
    echo.add(SITE, 12, 14); // inside: nothing changes
    expect(echo.covered(SITE, 0, 100)).toBe(35);
  });

  it('forgets every window when cleared', () => {
    echo.add(SITE, 10, 20);
    echo.clear();
    expect(echo.skip(SITE, 10)).toBe(10);
    expect(echo.covered(SITE, 0, 100)).toBe(0);
  });
});

describe('ChangeTracker.notePushApplied', () => {
  let data: TempDb;
  beforeEach(() => {
    data = tempDb(TEST_SCHEMA);
  });
  afterEach(() => data.cleanup());

  it("records a pushed page's window only when the page was in line with the peer's cursor (not early)", () => {
    const tracker = enableCapture(data.db, { tables: ['teams'] });
    expect(tracker.notePushApplied(SITE, 5, 10)).toBe(false); // its cursor is unknown: 0, and the page starts at 5
    expect(tracker.unsentFrom(SITE, 0, 10)).toBe(10);
    tracker.notePeerCursor(SITE, 5);
    expect(tracker.notePushApplied(SITE, 5, 10)).toBe(true);
    expect(tracker.unsentFrom(SITE, 0, 10)).toBe(5); // (5, 10] is there
    expect(tracker.notePushApplied(SITE, 10, 20)).toBe(true); // the next page, in line: the cursor moved to 10
    expect(tracker.notePushApplied(SITE, 30, 40)).toBe(false); // early: rows of it may wait for the cursor
    expect(tracker.unsentFrom(SITE, 0, 40)).toBe(25);
  });

  it('forgets the windows when this server takes a new site id: its rows then reach the peer again, under the new id', () => {
    const [a, b] = [trackedDb(), trackedDb()];
    try {
      a.db.exec("INSERT INTO teams VALUES ('t1', 'Robots', 254, NULL, NULL)");
      const page = a.tracker.readChanges(0, 10, b.tracker.siteId);
      b.tracker.applyChangeset(page);
      a.tracker.notePeerCursor(b.tracker.siteId, 0);
      expect(a.tracker.notePushApplied(b.tracker.siteId, 0, page.next ?? 0)).toBe(true);
      expect(a.tracker.readChanges(0, 10, b.tracker.siteId).changes).toHaveLength(0); // b holds it: left out
      const { seq, mark } = b.tracker.peerView(a.tracker.siteId);
      expect(a.tracker.checkOwnHistory({ seq: seq + 5, mark })?.code).toBe('SITE_REWOUND');
      expect(a.tracker.readChanges(0, 10, b.tracker.siteId).changes).toHaveLength(1); // sent again under the new id
      expect(a.tracker.notePushApplied(b.tracker.siteId, 1, 2)).toBe(false); // b's cursor of the new id is unknown again
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
