import { readPeers } from '../../../sample-app/env-values';

// Found by helper ah3 as a careless operator: SYNC_PEERS written with ";" or blanks between the URLs (a list copied from a
// document or another tool's setting) was one URL "holding a space … type the URL again without it", or "not a URL": the
// operator retyped one URL. It now says the peers are separated by commas, with the value to write.
describe('ah3: SYNC_PEERS with another separator than a comma', () => {
  it.each([
    ['http://10.0.0.2:5000;http://10.0.0.3:5000', 'SYNC_PEERS entry "http://10.0.0.2:5000;http://10.0.0.3:5000" holds 2 URLs separated by ";": separate peers with commas (SYNC_PEERS=http://10.0.0.2:5000,http://10.0.0.3:5000)'],
    ['http://10.0.0.2:5000; https://cloud.example.org/api/sync', 'SYNC_PEERS entry "http://10.0.0.2:5000; https://cloud.example.org/api/sync" holds 2 URLs separated by ";": separate peers with commas (SYNC_PEERS=http://10.0.0.2:5000,https://cloud.example.org/api/sync)'],
    ['http://10.0.0.2:5000 http://10.0.0.3:5000', 'SYNC_PEERS entry "http://10.0.0.2:5000 http://10.0.0.3:5000" holds 2 URLs separated by blanks: separate peers with commas (SYNC_PEERS=http://10.0.0.2:5000,http://10.0.0.3:5000)'],
    ['http://a:5000\nhttp://b:5000\tHTTP://c:5000', 'SYNC_PEERS entry "http://a:5000\\nhttp://b:5000\\tHTTP://c:5000" holds 3 URLs separated by blanks: separate peers with commas (SYNC_PEERS=http://a:5000,http://b:5000,HTTP://c:5000)'],
  ])('%j: said with the value to write', (value, said) => {
    expect(() => readPeers(value)).toThrow(said);
  });

  it('the comma-separated value it suggests is read as those peers', () => {
    expect(readPeers('http://10.0.0.2:5000,https://cloud.example.org/api/sync')).toEqual(['http://10.0.0.2:5000/api/sync', 'https://cloud.example.org/api/sync']);
  });

  it.each([
    ['a user in one URL (never repeated)', 'https://s3cret@10.0.0.2:5000;http://10.0.0.3:5000', /s3cret/],
    ['a query in one URL (never repeated)', 'http://10.0.0.2:5000/api/sync?token=s3cret http://10.0.0.3:5000', /s3cret/],
  ])('%s: left to the library, whose message hides it', (_, value, secret) => {
    let message = '';
    try {
      readPeers(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toMatch(secret);
    expect(message).not.toContain('separate peers with commas');
  });

  it('one URL with a space inside is still said as one', () => {
    expect(() => readPeers('http://10.0.0.2:5000/api /sync')).toThrow(/holds a space at character 25/);
  });
});
