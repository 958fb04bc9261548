import { readHost } from '../../../sample-app/env-values';

/**
 * `HOST` is checked as it is read (readHost), before anything is written. The check is there to
 * refuse what is no address (a URL, `host:port`, brackets, words): a name the resolver takes must
 * still be accepted. Docker Compose names containers `<project>_<service>_1` and resolves them on
 * its networks, and `/etc/hosts` may hold names with `_`: they were refused as "not a host name".
 */
describe('HOST: every address or name the resolver takes is accepted as it is read', () => {
  it.each([['::1'], ['::'], ['0.0.0.0'], ['0'], ['127.0.0.1'], ['localhost'], ['localhost.'], ['my-host'], ['my-host.lan'], ['xn--bcher-kva.example'], ['fe80::1%lo'], ['web_1'], ['scouting_app_1'], ['my_host.lan']])(
    'HOST=%j is kept as given',
    (host) => {
      expect(readHost(host)).toBe(host);
      expect(readHost(` ${host}\n`)).toBe(host);
    },
  );

  it.each([['not a host'], ['-bad'], ['a..b'], ['_'], ['*'], ['a_b:5000'], ['[::1]']])('HOST=%j is still refused', (host) => {
    expect(() => readHost(host)).toThrow(/is not an IP address nor a host name/);
  });
});
