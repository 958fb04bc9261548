import { readHost } from '../../../sample-app/env-values';

/**
 * `url.domainToASCII` parses its input as a URL's host and stops at a path, query or fragment: it turns
 * `localhost/bücher` into `localhost` and `evil.example#ü` into `evil.example`. HOST holding a non-ASCII
 * character and such a delimiter was then taken as the part before it, silently, instead of being
 * refused as before the internationalized names were taken. Validation only: nothing is resolved or bound.
 */
describe('HOST: a non-ASCII value holding a URL delimiter is refused, not cut at it', () => {
  it.each([
    ['localhost/bücher'],
    ['bücher.example/'],
    ['a/ü'],
    ['evil.example#ü'],
    ['localhost?ü'],
    ['localhost\\ü'],
    ['xn--tda.example/ü'],
    ['ü.example/path'],
  ])('HOST=%j is refused with the HOST error', (host) => {
    expect(() => readHost(host)).toThrow(/^HOST=.* is not an IP address nor a host name: /);
  });

  it('an internationalized name alone is still taken in its ASCII form', () => {
    expect(readHost('bücher.example')).toBe('xn--bcher-kva.example');
  });
});
