import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner } from '../../sample-app/server';
import { tempDir } from '../helpers/temp';

// Found by review af6: the banner masks a token as its first and last four characters when it has more
// than 12, and since fe87718 says how many characters a token under 16 has. A SYNC_TOKEN of 13 to 15
// characters was then printed 8 characters out of 13 to 15, with its length: 5 to 7 left to guess, on a
// terminal, a screenshot or a support chat. A token the banner calls short is now shown as … only.
describe('af6: the banner shows nothing of a token it calls short', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-af6-short-token-');
  });
  afterEach(() => temp.cleanup());

  it.each(['pit2026scout', 'pit-2026-scouts', 'abcdefghijklm'])('SYNC_TOKEN=%s: no part of it in the banner', (token) => {
    const banner = startBanner(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: token }), 'http://127.0.0.1:1');
    expect(banner).toContain('Sync token: … (from SYNC_TOKEN)\n');
    expect(banner).toContain(`! SYNC_TOKEN has ${token.length} characters`);
    expect(banner).not.toContain(token.slice(0, 4));
    expect(banner).not.toContain(token.slice(-4));
  });

  it('a token of 16 characters or more is still shown as its first and last four', () => {
    const token = `3f9a${'0'.repeat(24)}c41e`;
    const banner = startBanner(readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: token }), 'http://127.0.0.1:1');
    expect(banner).toContain('Sync token: 3f9a…c41e (from SYNC_TOKEN)\n');
  });
});
