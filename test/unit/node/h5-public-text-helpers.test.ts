import { hasHiddenCharacter, splitUserinfo, unreadableCertificate } from '../../../index';

/**
 * The three helpers the sample app now takes from the public entry, called as a JavaScript
 * user may call them: with what an unset variable gives (undefined) or a number. They crashed
 * inside (`Cannot read properties of undefined`), or, worse, answered "fine":
 * `hasHiddenCharacter(undefined)` was false, and `unreadableCertificate('')` (an empty CA file)
 * undefined, "each certificate can be read".
 */
describe('unreadableCertificate, splitUserinfo and hasHiddenCharacter with what they do not take', () => {
  it.each([undefined, null, 42, {}])('%p is a TypeError naming the function', (value) => {
    expect(() => hasHiddenCharacter(value as never)).toThrow(new TypeError(`express-sqlite-sync: hasHiddenCharacter needs a string, got ${value === null ? 'null' : typeof value}`));
    expect(() => splitUserinfo(value as never)).toThrow(new TypeError(`express-sqlite-sync: splitUserinfo needs a NATS URL as a string, got ${value === null ? 'null' : typeof value}`));
    expect(() => unreadableCertificate(value as never)).toThrow(new TypeError(`express-sqlite-sync: unreadableCertificate needs the CA file's text (a string or a Buffer), got ${value === null ? 'null' : typeof value}`));
  });

  it.each(['', 'not a certificate', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'])('a text without a certificate (%j) is not "fine": it says it holds none', (text) => {
    expect(unreadableCertificate(text)).toBe('it holds no PEM certificate (-----BEGIN CERTIFICATE-----…)');
    expect(unreadableCertificate(Buffer.from(text))).toBe('it holds no PEM certificate (-----BEGIN CERTIFICATE-----…)');
  });
});
