import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * SYNC_NAME is shown on the peers' status pages and terminals. The library refuses a `name`
 * holding an invisible or text-direction mark (`\u202e` + `potpal tip` shows as another name);
 * the sample app's check let them through, so the start failed later, naming the library's
 * `name` instead of SYNC_NAME, after it had made the data folders, the token file and the
 * database ("a start refused for a typo leaves no folder and no token behind").
 */
describe('sample app: SYNC_NAME with an invisible or text-direction mark', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h3-sync-name-');
  });
  afterEach(() => temp.cleanup());

  it.each([
    ['a right-to-left override', '\u202epit laptop'],
    ['a left-to-right isolate', 'pit \u2066laptop'],
    ['a zero-width space', 'pit\u200blaptop'],
    ['a right-to-left mark', 'pit laptop\u200f'],
    ['a byte order mark inside it', 'pit\ufefflaptop'],
  ])('%s is refused naming SYNC_NAME, before anything is written', (_what, name) => {
    const dataDir = path.join(temp.dir, 'data');
    expect(() => readSampleConfig({ DATA_DIR: dataDir, SYNC_NAME: name })).toThrow(/^SYNC_NAME must be 1-100 characters without control characters, invisible or text-direction marks/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('still takes names in any script, accents and emoji', () => {
    for (const name of ['pit laptop', 'حاسوب الحفرة', 'Café ☕ 🤖', 'ピット']) {
      expect(readSampleConfig({ DATA_DIR: temp.dir, SYNC_NAME: name }).name).toBe(name);
    }
  });
});
