import { hideSecrets } from '../../../lib/peers/hidden-tokens';

/** A token as `openssl rand -base64 24` makes one: `/` and `+` in it. */
const LONG = 'q3/Zk+9vR2x/Lm0aB7cD4eF1';
/** A short token (accepted with a `token.short` warning): hidden only where it stands as a credential. */
const SHORT = 'sync';

/** `Basic` credentials of `user:secret`, base64 as a header carries it. */
function basic(user: string, secret: string): string {
  return Buffer.from(`${user}:${secret}`, 'utf8').toString('base64');
}

/** User names of every length modulo 3, so the token starts at each of base64's three alignments. */
const USERS = ['', 'u', 'us', 'use', 'user', 'scout', 'pit-lap', 'operator'];

/**
 * A proxy that repeats the `Authorization: Basic …` header it got (a peer URL written `http://user:token@host`)
 * put the token into our log: its base64 form was hidden only when `user:` was a multiple of 3 characters long,
 * since base64 of the token alone matches the header's text at that alignment only.
 */
describe('hideSecrets: a token inside a Basic credential, at any alignment', () => {
  it.each(USERS)('hides the whole credential of user %j holding a long token', (user) => {
    expect(hideSecrets(`proxy refused Authorization: Basic ${basic(user, LONG)}; bye`, [LONG])).toBe('proxy refused Authorization: Basic ***; bye');
  });

  it.each(USERS)('hides the whole credential of user %j holding a short token', (user) => {
    expect(hideSecrets(`Authorization: Basic ${basic(user, SHORT)}`, [SHORT])).toBe('Authorization: Basic ***');
  });

  it.each([
    ['base64url', (user: string) => `Basic ${basic(user, LONG).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`, 'Basic ***'],
    ['percent-encoded whole', (user: string) => encodeURIComponent(`Authorization: Basic ${basic(user, LONG)}`), 'Authorization%3A%20Basic%20***'],
    ['in a JSON string, "/" escaped', (user: string) => JSON.stringify({ authorization: `Basic ${basic(user, LONG)}` }).replace(/\//g, '\\/'), '{"authorization":"Basic ***"}'],
  ])('hides it %s', (_form, write, hidden) => {
    for (const user of USERS) expect(hideSecrets(write(user), [LONG])).toBe(hidden);
  });

  it('leaves a Basic credential that holds no token, and the words of a Basic challenge', () => {
    const other = `Authorization: Basic ${basic('user', 'another-password-0123')}`;
    expect(hideSecrets(other, [LONG, SHORT])).toBe(other);
    const challenge = 'WWW-Authenticate: Basic realm="sync", charset="UTF-8"';
    expect(hideSecrets(challenge, [LONG, SHORT])).toBe(challenge);
  });
});

describe('hideSecrets: a short token after Bearer written with = or :, or after many blanks', () => {
  it.each([
    ['Bearer=sync', 'Bearer=***'],
    ['Bearer:sync; next', 'Bearer:***; next'],
    ['Bearer: sync', 'Bearer: ***'],
    ['bearer = sync', 'bearer = ***'],
    ['Bearer         sync', 'Bearer         ***'],
    ['Bearer\t\t\t\t\t\t\t\t\t\tsync.', 'Bearer\t\t\t\t\t\t\t\t\t\t***.'],
    ['Authorization:   Bearer            sync', 'Authorization:   Bearer            ***'],
    ['Authorization%3A%20Bearer%3Dsync', 'Authorization%3A%20Bearer%3D***'],
  ])('hides it in %j', (text, hidden) => {
    expect(hideSecrets(text, [SHORT])).toBe(hidden);
  });

  it.each([['Bearer=syncopation'], ['Bearer:  syncs'], ['the Bearer scheme; sync later']])('leaves %j as it is', (text) => {
    expect(hideSecrets(text, [SHORT])).toBe(text);
  });
});

describe('hideSecrets: 64 KiB hostile texts are scanned in one pass', () => {
  const KIB64 = 64 * 1024;
  it.each([
    ['Basic and blanks, no credential', `Basic${' '.repeat(KIB64)}!`],
    ['Bearer and blanks, no credential', `Bearer${' '.repeat(KIB64)}`],
    ['Bearer, blanks and a colon, repeated', 'Bearer   :   '.repeat(KIB64 / 13)],
    ['a Basic credential of 64 KiB', `Basic ${'QUFB'.repeat(KIB64 / 4)}`],
    ['Basic+ repeated', 'Basic+'.repeat(KIB64 / 6)],
    ['a field name, blanks, no value', `x-sync-token${' '.repeat(KIB64)}`],
  ])('%s: the text comes back as it was', (_what, text) => {
    expect(hideSecrets(text, [SHORT, LONG])).toBe(text);
  });

  it('hides every credential of a 64 KiB text of them', () => {
    const one = `Basic ${basic('u', SHORT)} Bearer=sync `;
    const text = one.repeat(Math.ceil(KIB64 / one.length));
    expect(hideSecrets(text, [SHORT])).toBe('Basic *** Bearer=*** '.repeat(Math.ceil(KIB64 / one.length)));
  });
});
