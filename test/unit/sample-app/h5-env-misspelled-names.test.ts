import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * `SYNC_PEER=http://10.0.0.3:5000` (for SYNC_PEERS) or `SYNC_INTERVAL=15000` (for
 * SYNC_INTERVAL_MS) was ignored without a word: the laptop ran alone, or every 30 s, while the
 * operator believed otherwise. A SYNC_ name one letter away from one the app reads, or the
 * start of one, now stops the start naming both; other SYNC_ names are none of its business.
 */
describe('sample app: a misspelled SYNC_ variable', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h5-names-');
  });
  afterEach(() => temp.cleanup());

  it.each<[string, string]>([
    ['SYNC_PEER', 'SYNC_PEERS'],
    ['SYNC_PEERS_CA', 'SYNC_PEER_CA'],
    ['SYNC_INTERVAL', 'SYNC_INTERVAL_MS'],
    ['SYNC_INTERVAL_M', 'SYNC_INTERVAL_MS'],
    ['SYNC_TOKENS', 'SYNC_TOKEN'],
    ['SYNC_NAMES', 'SYNC_NAME'],
    // Words left out or put in another order (session 20's s2: these were ignored without a word).
    ['SYNC_CLOCK_SKEW_MS', 'SYNC_MAX_CLOCK_SKEW_MS'],
    ['SYNC_MAX_SKEW_MS', 'SYNC_MAX_CLOCK_SKEW_MS'],
    ['SYNC_SKEW_MS', 'SYNC_MAX_CLOCK_SKEW_MS'],
    ['SYNC_MS_INTERVAL', 'SYNC_INTERVAL_MS'],
    ['SYNC_CA', 'SYNC_PEER_CA'],
  ])('%s is refused naming it and %s, before anything is written', (name, meant) => {
    const dataDir = path.join(temp.dir, 'data');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TOKEN, [name]: '15000' })).toThrow(
      new TypeError(`${name} is not a variable of the sample app: did you mean ${meant}? Rename it, or unset it`),
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('takes other SYNC_ names (another program\'s), and a misspelled one left blank', () => {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TOKEN, SYNC_HOME: '/srv', SYNC_THING_API_KEY: 'x', SYNC_PEER: ' ', SYNC_MS: '5', SYNC_TOKEN_FILE: '/etc/t', SYNC_PEER_URLS: 'x' });
    expect(config.peers).toEqual([]);
  });
});
