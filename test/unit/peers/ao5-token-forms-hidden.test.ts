import { hideSecrets } from '../../../lib/peers/hidden-tokens';

/** A short token (accepted with a `token.short` warning): hidden only where it stands as a credential. */
const SHORT = 'sync';
/** A token as `openssl rand -base64 24` makes one: `/` and `+` in it. */
const LONG = 'q3/Zk+9vR2x/Lm0aB7cD4eF1';

describe('hideSecrets: the forms a peer echoes a token in', () => {
  it.each([
    // the header line percent-encoded whole (encodeURIComponent), as a query value
    ['GET /login?h=Authorization%3A%20Bearer%20sync', 'GET /login?h=Authorization%3A%20Bearer%20***'],
    ['GET /login?h=Authorization%3A%20Bearer%20sync%0A&next=1', 'GET /login?h=Authorization%3A%20Bearer%20***%0A&next=1'],
    // a JSON object percent-encoded: quotes and colon as %22 and %3A
    ['?state=%7B%22authorization%22%3A%22Bearer%20sync%22%7D', '?state=%7B%22authorization%22%3A%22Bearer%20***%22%7D'],
    ['?state=%7B%22x-sync-token%22%3A%22sync%22%7D', '?state=%7B%22x-sync-token%22%3A%22***%22%7D'],
  ])('hides a short token percent-encoded as a credential in %j', (text, hidden) => {
    expect(hideSecrets(text, [SHORT])).toBe(hidden);
  });

  it.each([['/api/sync%20x/data'], ['GET /api%2Fsync%2Fstatus'], ['Bearer%20sync%21'], ['Authorization%3A%20Bearer%20syncopation']])('leaves %j as it is (no credential, or another one)', (text) => {
    expect(hideSecrets(text, [SHORT])).toBe(text);
  });

  it('hides a token written into a JSON text, its "/" escaped or not (a proxy quoting the request headers as JSON)', () => {
    const headers = { authorization: `Bearer ${LONG}` };
    const plain = JSON.stringify(headers);
    const slashEscaped = plain.replace(/\//g, '\\/'); // PHP's json_encode, and others, escape "/"
    expect(hideSecrets(`upstream said ${slashEscaped}`, [LONG])).toBe('upstream said {"authorization":"Bearer ***"}');
    expect(hideSecrets(`upstream said ${plain}`, [LONG])).toBe('upstream said {"authorization":"Bearer ***"}');
  });

  it('hides a token holding a quote or a backslash written into a JSON text', () => {
    const token = 'ab"cd\\ef0123456789';
    expect(hideSecrets(`echo ${JSON.stringify({ token })} end`, [token])).toBe('echo {"token":"***"} end');
    const short = 'a"b';
    expect(hideSecrets(JSON.stringify({ authorization: `Bearer ${short}` }), [short])).toBe('{"authorization":"Bearer ***"}');
  });
});
