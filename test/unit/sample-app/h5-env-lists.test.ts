import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { startBanner } from '../../../sample-app/server';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * The two lists the sample app reads, SYNC_PEERS and SYNC_NATS_URL, read alike: blank entries
 * (a trailing comma) left out, an entry named twice listed once. SYNC_NATS_URL kept a server
 * named twice twice (the banner showed it twice; SYNC_PEERS lists a peer once).
 */
describe('sample app: SYNC_PEERS and SYNC_NATS_URL with a trailing comma or an entry twice', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h5-lists-');
  });
  afterEach(() => temp.cleanup());

  const read = (env: Record<string, string>): ReturnType<typeof readSampleConfig> => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: TOKEN, ...env });

  it('SYNC_PEERS', () => {
    expect(read({ SYNC_PEERS: 'http://10.0.0.2:5000,,http://10.0.0.2:5000/api/sync, http://10.0.0.3:5000 ,' }).peers).toEqual(['http://10.0.0.2:5000/api/sync', 'http://10.0.0.3:5000/api/sync']);
  });

  it('SYNC_NATS_URL: a server named twice is listed once, in the banner too', () => {
    const config = read({ SYNC_NATS_URL: 'nats://10.0.0.1:4222, nats://10.0.0.1:4222,nats://10.0.0.2:4222,' });
    expect(config.nats?.servers).toBe('nats://10.0.0.1:4222,nats://10.0.0.2:4222');
    expect(startBanner(config, 'http://localhost:5000')).toContain('NATS:       nats://10.0.0.1:4222,nats://10.0.0.2:4222, stream');
  });
});
