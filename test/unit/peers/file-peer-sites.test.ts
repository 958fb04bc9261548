import { FilePeerSites } from '../../../lib/peers/file-peer-site';

const X = 'a'.repeat(32);
const Y = 'b'.repeat(32);
const MIN = 60_000;

/** Which URLs answered GET /files/info with which id: two servers sharing one are told apart by their instances. */
describe('FilePeerSites', () => {
  it('one server under two URLs (one instance) is no rival; a restart at one URL (new instance) is one, for ten minutes', () => {
    const sites = new FilePeerSites();
    expect(sites.note('http://a/', X, 'i1', 0)).toBeUndefined();
    expect(sites.note('http://b/', X, 'i1', 1)).toBeUndefined();
    expect(sites.contested(X, 2)).toBe(false);
    expect(sites.note('http://b/', X, 'i2', 3)).toBe('http://a/');
    expect(sites.contested(X, 4)).toBe(true);
    expect(sites.contested(X, 3 + 10 * MIN)).toBe(false);
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
