import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { startBanner } from '../../../sample-app/server';
import { tempDir } from '../../helpers/temp';

/**
 * A laptop started once with plain `npm start` (the quick start: a token generated into
 * DATA_DIR/.sync-token), then as the walkthrough says, with the fleet's SYNC_TOKEN: the file
 * still holds the first token. `$(cat data/.sync-token)` (the README's curl) then sends a token
 * the server refuses, and a later start without SYNC_TOKEN silently uses it, so every peer
 * answers "wrong token". The banner says so at the start where SYNC_TOKEN hides the file.
 */
describe('sample app: SYNC_TOKEN set while DATA_DIR/.sync-token holds another token', () => {
  const URL = 'http://localhost:5000';
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h3-token-file-');
  });
  afterEach(() => temp.cleanup());

  it('the banner says the file holds another token, unused now and used by a start without SYNC_TOKEN, never printing either token', () => {
    const first = readSampleConfig({ DATA_DIR: temp.dir }); // the quick start: generated into the file
    const fleet = 'the-fleet-token-0123456789abcdef';
    const config = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: fleet });
    expect(config).toMatchObject({ token: fleet, tokenSource: 'env', tokenFileDiffers: true });
    const banner = startBanner(config, URL);
    expect(banner).toContain('Sync token: the-…cdef (from SYNC_TOKEN)');
    expect(banner).toMatch(/DATA_DIR\/\.sync-token holds another token: unused while SYNC_TOKEN is set, used by a start without it/);
    expect(banner).not.toContain(first.token);
    expect(banner).not.toContain(fleet);
    expect(readFileSync(path.join(temp.dir, '.sync-token'), 'utf8').trim()).toBe(first.token); // the file is left as it is
  });

  it('says nothing when the file holds the same token (its line break aside), or there is no file', () => {
    const fleet = 'the-fleet-token-0123456789abcdef';
    const none = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: fleet });
    expect(none.tokenFileDiffers).toBe(false);
    expect(startBanner(none, URL)).not.toContain('holds another token');
    writeFileSync(path.join(temp.dir, '.sync-token'), `${fleet}\n`);
    const same = readSampleConfig({ DATA_DIR: temp.dir, SYNC_TOKEN: fleet });
    expect(same.tokenFileDiffers).toBe(false);
    expect(startBanner(same, URL)).not.toContain('holds another token');
    expect(readSampleConfig({ DATA_DIR: temp.dir }).tokenFileDiffers).toBe(false); // read from the file: nothing to compare
  });
});
