import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner } from '../../sample-app/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: `SYNC_TOKEN=abc` started with the banner's "Sync token: … (from SYNC_TOKEN)" and
// one log line "express-sqlite-sync: token #0 has 3 characters; …": neither said that SYNC_TOKEN (or
// the token file) was the short one. The banner now says so, with the fix.
describe('af4: a short sync token is named in the banner', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-af4-short-token-');
  });
  afterEach(() => temp.cleanup());

  it('SYNC_TOKEN of 3 characters: the banner names SYNC_TOKEN, its length and the fix, not the token', () => {
    const config = readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'abc' });
    const banner = startBanner(config, 'http://127.0.0.1:1');
    expect(banner).toContain('            ! SYNC_TOKEN has 3 characters: anyone who reaches this server could guess it; use at least 16, the same on every server (for example `openssl rand -hex 32`)\n');
    expect(banner).not.toContain('abc');
  });

  it('a short token in DATA_DIR/.sync-token is named as that file', () => {
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, '.sync-token'), 'pit-2026\n');
    const banner = startBanner(readSampleConfig({ DATA_DIR: dataDir }), 'http://127.0.0.1:1');
    expect(banner).toContain('! DATA_DIR/.sync-token holds a token of 8 characters: anyone who reaches this server could guess it;');
  });

  it('a token of 16 characters or more, or a generated one, has no such line', () => {
    expect(startBanner(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'a'), SYNC_TOKEN: 'a'.repeat(16) }), 'http://127.0.0.1:1')).not.toContain('could guess it');
    expect(startBanner(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'b') }), 'http://127.0.0.1:1')).not.toContain('could guess it');
  });
});
