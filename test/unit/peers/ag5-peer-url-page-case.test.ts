import { normalizePeerUrl } from '../../../index';

/**
 * Found by helper ag5 reviewing 591990c: Express matches routes without regard to case, so
 * `…/api/sync/UI`, `…/Status` and `…/METRICS` are the router's own pages too (the status page
 * answers them), yet they were taken as peers and failed every round with "no sync endpoint GET
 * /UI/data/info". And `…/ui/<any name>` was refused where the router serves only `/ui/status.js`
 * and `/ui/status.css`: a router mounted at `/ui/sync` could not be named as a peer at all.
 */
describe('ag5: the router\'s own pages in a peer URL, in any case; only the status page\'s own files', () => {
  it.each([
    ['http://10.0.0.2:5000/api/sync/UI', 'the status page', 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
    ['http://10.0.0.2:5000/API/SYNC/Ui/', 'the status page', 'http://10.0.0.2:5000/API/SYNC'],
    ['https://h/api/sync/ui/STATUS.JS', 'the status page', 'https://h/api/sync (or just https://h)'],
    ['https://h/api/sync/ui/status.css', 'the status page', 'https://h/api/sync (or just https://h)'],
    ['http://10.0.0.2:5000/api/sync/Status', "the sync API's /Status", 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
    ['http://10.0.0.2:5000/sync/METRICS', "the sync API's /METRICS", 'http://10.0.0.2:5000/sync'],
  ])('normalizePeerUrl(%j) is refused as %s', (input, what, fix) => {
    expect(() => normalizePeerUrl(input)).toThrow(new TypeError(`express-sqlite-sync: peer ${input} is the address of ${what}, not of the sync API itself: write ${fix}`));
  });

  it('takes a router mounted below a folder named ui, and a path the router does not serve as a page', () => {
    const urls = ['http://h/ui/sync', 'http://h/app/ui/api', 'http://h/UI/sync', 'http://h/api/sync/%75i', 'http://h/api/sync/ui.'];
    expect(urls.map((url) => normalizePeerUrl(url))).toEqual(urls);
  });
});
