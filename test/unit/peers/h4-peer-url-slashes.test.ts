import path from 'node:path';
import { normalizePeerUrl } from '../../../index';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * docs/API.md (normalizePeerUrl) and the README (SYNC_PEERS): a URL without a
 * path means its `/api/sync`; a trailing `/` is dropped. A URL whose path is
 * only slashes (`http://10.0.0.2:5000//`, a slip when pasting) has no path
 * either; it used to become `http://10.0.0.2:5000`, the server's root, where
 * the sample app answers every handshake with 404.
 */
describe('a peer URL whose path is only slashes means its /api/sync', () => {
  it.each([
    ['http://10.0.0.2:5000', 'http://10.0.0.2:5000/api/sync'],
    ['http://10.0.0.2:5000/', 'http://10.0.0.2:5000/api/sync'],
    ['http://10.0.0.2:5000//', 'http://10.0.0.2:5000/api/sync'],
    ['http://10.0.0.2:5000///', 'http://10.0.0.2:5000/api/sync'],
    ['HTTP://10.0.0.2:5000//', 'http://10.0.0.2:5000/api/sync'],
    ['http://10.0.0.2:5000/api/sync//', 'http://10.0.0.2:5000/api/sync'],
    ['http://10.0.0.2:5000/sync/', 'http://10.0.0.2:5000/sync'],
  ])('normalizePeerUrl(%j) is %j', (input, expected) => {
    expect(normalizePeerUrl(input)).toBe(expected);
  });

  it('SYNC_PEERS with trailing slashes, spaces and an upper-case scheme names each peer once, at its /api/sync', () => {
    const temp = tempDir('ess-h4-peers-');
    try {
      const config = readSampleConfig({
        DATA_DIR: path.join(temp.dir, 'data'),
        SYNC_TOKEN: 'test-token-0123456789abcdef',
        SYNC_PEERS: ' http://10.0.0.2:5000// , HTTP://10.0.0.2:5000/,http://10.0.0.3:5000/api/sync/ ',
      });
      expect(config.peers).toEqual(['http://10.0.0.2:5000/api/sync', 'http://10.0.0.3:5000/api/sync']);
    } finally {
      temp.cleanup();
    }
  });
});
