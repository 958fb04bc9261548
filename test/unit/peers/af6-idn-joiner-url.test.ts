import { normalizePeerUrl } from '../../../lib/peers/peer-url';

// Found by review af6: d07cb43 refuses any invisible character left inside a peer URL, so a
// zero-width non-joiner that is part of an internationalized host name (Persian writes it inside
// words: نامه‌ای.ir, xn--mgba3gch31f060k.ir) made a URL the URL parser takes, and the server could
// reach, 'holds an invisible character (U+200C …)'. A joiner the parser accepts in the host is now
// kept; anywhere else, or where the parser refuses it, it is still named.
describe('af6: a joiner inside an internationalized host name', () => {
  it.each([
    ['a Persian name with a zero-width non-joiner', 'http://\u0646\u0627\u0645\u0647\u200c\u0627\u06cc.ir:5000', 'http://xn--mgba3gch31f060k.ir:5000/api/sync'],
    ['the same, with a path', 'https://\u0646\u0627\u0645\u0647\u200c\u0627\u06cc.ir/sync', 'https://xn--mgba3gch31f060k.ir/sync'],
  ])('%s is read as the URL parser reads it', (_name, given, expected) => {
    expect(normalizePeerUrl(given)).toBe(expected);
  });

  it.each([
    ['between Latin letters of the host (the parser refuses it)', 'http://ho\u200cst:5000', 'U+200C'],
    ['after the port', 'http://host:5000\u200d', 'U+200D'],
    ['in the path', 'http://host:5000/api\u200c/sync', 'U+200C'],
    ['a zero-width space in a Persian host', 'http://\u0646\u0627\u0645\u0647\u200b\u0627\u06cc.ir:5000', 'U+200B'],
  ])('%s is still named', (_name, given, code) => {
    expect(() => normalizePeerUrl(given)).toThrow(`holds an invisible character (${code}`);
  });
});
