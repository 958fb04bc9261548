import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleSettings } from '../../../sample-app/config';
import { readHost } from '../../../sample-app/env-values';
import { tempDir } from '../../helpers/temp';

/**
 * An internationalized host name (`HOST=bücher.example`) was refused as "not an IP address nor a host name",
 * though a resolver takes it in its ASCII form (`xn--bcher-kva.example`, what `url.domainToASCII` gives). It is
 * now taken as that form; what cannot be converted, or converts only by dropping or changing something the
 * operator would not see, is still refused with the HOST error. Validation only: nothing is resolved or bound.
 */
describe('HOST: an internationalized host name is taken in its ASCII form', () => {
  it.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['bücher.example.', 'xn--bcher-kva.example.'],
    ['bücher\u3002example', 'xn--bcher-kva.example'], // an ideographic full stop separates labels, as in a URL
    ['münchen', 'xn--mnchen-3ya'],
    ['スカウト.lan', 'xn--gckj5b8c.lan'],
  ])('HOST=%j is %j', (host, ascii) => {
    expect(readHost(host)).toBe(ascii);
    expect(readHost(` ${host}\n`)).toBe(ascii);
  });

  it.each([
    ['bü cher.example'],
    ['bücher..example'],
    ['-bücher.example'],
    ['bücher-.example'],
    ['bü\u200bcher.example'], // a zero-width space: domainToASCII drops it, the operator never saw it
    ['bü\u00adcher.example'], // a soft hyphen, dropped likewise
    ['bücher.example:5000'],
    ['http://bücher.example'],
    ['[bücher.example]'],
    ['*.bücher.example'],
  ])('HOST=%j is still refused with the HOST error', (host) => {
    expect(() => readHost(host)).toThrow(/^HOST=.* is not an IP address nor a host name: /);
  });

  it('the settings read HOST=bücher.example as its ASCII form, writing nothing', () => {
    const temp = tempDir('ess-ap4-idn-');
    try {
      const dataDir = path.join(temp.dir, 'data');
      expect(readSampleSettings({ HOST: 'bücher.example', DATA_DIR: dataDir }).host).toBe('xn--bcher-kva.example');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      temp.cleanup();
    }
  });
});
