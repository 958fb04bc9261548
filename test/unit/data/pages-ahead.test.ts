import { PagesAhead } from '../../../lib/data/pages-ahead';

const LOCAL = 'a'.repeat(32);

describe('PagesAhead', () => {
  it('moves a cursor that reached a kept page to its end, through the pages that follow on, and forgets what it passed', () => {
    const ahead = new PagesAhead();
    ahead.add({ local: LOCAL, site: 's', since: 10, next: 20, mark: 'm20' });
    ahead.add({ local: LOCAL, site: 's', since: 20, next: 25, mark: 'm25' });
    ahead.add({ local: LOCAL, site: 's', since: 30, next: 40, mark: 'm40' });
    expect(ahead.through('s', 5, LOCAL)).toBeUndefined(); // the cursor has not reached the first page: a gap
    expect(ahead.through('t', 10, LOCAL)).toBeUndefined(); // another sender
    expect(ahead.through('s', 12, LOCAL)).toEqual({ seq: 25, mark: 'm25' });
    expect(ahead.through('s', 25, LOCAL)).toBeUndefined(); // (25, 30] is missing: the page after it waits
    expect(ahead.through('s', 30, LOCAL)).toEqual({ seq: 40, mark: 'm40' });
    expect(ahead.through('s', 12, LOCAL)).toBeUndefined(); // forgotten once passed
  });

  it('takes the furthest of overlapping pages, and none recorded under another site id of this server', () => {
    const ahead = new PagesAhead();
    ahead.add({ local: LOCAL, site: 's', since: 10, next: 30, mark: undefined });
    ahead.add({ local: LOCAL, site: 's', since: 10, next: 15, mark: 'm15' });
    expect(ahead.through('s', 10, LOCAL)).toEqual({ seq: 30, mark: undefined });
    ahead.add({ local: LOCAL, site: 's', since: 30, next: 35, mark: 'm35' });
    expect(ahead.through('s', 30, 'b'.repeat(32))).toBeUndefined();
  });
});
