import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../../index';
import { PACKAGE_ROOT, packageSources } from '../helpers/package-sources';

const ROOT = PACKAGE_ROOT;

/**
 * The sample app may import only the public entry, so it had copied three pieces of the
 * library: the PEM certificate check (sample-app/peer-ca.ts), the split of NATS credentials
 * out of a URL (sample-app/nats-config.ts) and the regex of control, invisible and
 * text-direction characters (in node/, lib/peers/ and sample-app/). Each is now one
 * function of the library, exported from index.ts, used by the sample app.
 */
describe('the sample app uses the library, not copies of it', () => {
  it('exports unreadableCertificate, splitUserinfo and hasHiddenCharacter from the public entry', () => {
    expect(typeof api.unreadableCertificate).toBe('function');
    expect(typeof api.splitUserinfo).toBe('function');
    expect(typeof api.hasHiddenCharacter).toBe('function');
  });

  it('holds the hidden-character regex once', () => {
    const holders = packageSources().filter((file) => readFileSync(path.join(ROOT, file), 'utf8').includes('\\u200b-\\u200f'));
    expect(holders).toEqual(['lib/hidden-characters.ts']);
  });

  it('holds no certificate reader and no NATS user-information split of its own', () => {
    const sample = packageSources().filter((file) => file.startsWith('sample-app'));
    const text = sample.map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')] as const);
    expect(text.filter(([, body]) => /X509Certificate|lastIndexOf\('@'\)/.test(body)).map(([file]) => file)).toEqual([]);
  });

  it('behaves as the copies did', () => {
    expect(api.splitUserinfo('nats://u:p/q@10.0.0.1:4222')).toEqual({ userinfo: 'u:p/q', rest: 'nats://10.0.0.1:4222' });
    expect(api.splitUserinfo('10.0.0.1:4222')).toEqual({ userinfo: undefined, rest: '10.0.0.1:4222' });
    expect(api.unreadableCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n')).toMatch(/never ends .*cut short\?/);
    expect(api.hasHiddenCharacter('pit\u200blaptop')).toBe(true);
    expect(api.hasHiddenCharacter('\u202epit')).toBe(true);
    expect(api.hasHiddenCharacter('Café ☕ 🤖 حاسوب')).toBe(false);
  });
});
