import { FilePeerSites } from '../../../lib/peers/file-peer-site';

const X = 'a'.repeat(32);
const Y = 'b'.repeat(32);
const MIN = 60_000;

/** Which URLs answered GET /files/info with which id: two servers sharing one are told apart by their instances. */
describe('FilePeerSites', () => {
  it('one server under two URLs (one instance) is no rival, nor after a restart; another server at one of them is, for ten minutes', () => {
    const sites = new FilePeerSites();
    expect(sites.note('http://a/', X, 'i1', 0)).toBeUndefined();
    expect(sites.note('http://b/', X, 'i1', 1)).toBeUndefined();
    expect(sites.contested(X, 2)).toBe(false);
    // restarted: b answers first with its new instance, a was not asked since
    expect(sites.note('http://b/', X, 'i2', 3)).toBeUndefined();
    expect(sites.contested(X, 4)).toBe(false);
    expect(sites.note('http://a/', X, 'i2', 5)).toBeUndefined();
    expect(sites.contested(X, 6)).toBe(false);
    // a answers the old instance after b left it: two servers
    expect(sites.note('http://b/', X, 'i3', 7)).toBeUndefined();
    expect(sites.note('http://a/', X, 'i2', 8)).toBe('http://b/');
    expect(sites.contested(X, 9)).toBe(true);
    expect(sites.note('http://b/', X, 'i3', 10)).toBe('http://a/');
    expect(sites.contested(X, 8 + 10 * MIN)).toBe(false);
  });

  it('a server restarted twice before its other URL was asked again is still no rival', () => {
    const sites = new FilePeerSites();
    sites.note('http://a/', X, 'i1', 0);
    sites.note('http://b/', X, 'i1', 1);
    expect(sites.note('http://b/', X, 'i2', 2)).toBeUndefined();
    expect(sites.note('http://b/', X, 'i3', 3)).toBeUndefined();
    expect(sites.contested(X, 4)).toBe(false);
    expect(sites.note('http://a/', X, 'i3', 5)).toBeUndefined();
    expect(sites.contested(X, 6)).toBe(false);
  });

  it('a second server that comes up at another URL while the first runs is a rival at once', () => {
    const sites = new FilePeerSites();
    sites.note('http://a/', X, 'i1', 0);
    expect(sites.note('http://b/', X, 'c1', 1)).toBe('http://a/');
    expect(sites.contested(X, 2)).toBe(true);
  });

  it('contested for either URL, whichever was met first, until one answers another id', () => {
    const sites = new FilePeerSites();
    expect(sites.note('http://copy/', X, 'c', 0)).toBeUndefined();
    expect(sites.note('http://original/', X, 'o', 1)).toBe('http://copy/');
    expect(sites.note('http://copy/', X, 'c', 2)).toBe('http://original/');
    expect(sites.contested(X, 3)).toBe(true);
    // the copy given a new identity
    expect(sites.note('http://copy/', Y, 'c2', 4)).toBeUndefined();
    expect(sites.contested(X, 5)).toBe(false);
    expect(sites.note('http://original/', X, 'o', 6)).toBeUndefined();
  });

  it('the rival counts while it answered within ten minutes', () => {
    const sites = new FilePeerSites();
    sites.note('http://a/', X, 'i1', 0);
    expect(sites.note('http://b/', X, 'i2', 10 * MIN)).toBeUndefined();
    expect(sites.note('http://b/', X, 'i2', 10 * MIN + 1)).toBeUndefined();
    expect(sites.note('http://a/', X, 'i1', 10 * MIN + 2)).toBe('http://b/');
  });
});
