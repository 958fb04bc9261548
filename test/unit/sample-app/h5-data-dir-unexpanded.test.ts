import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * `DATA_DIR=$HOME/scouting` in a systemd unit's Environment= or a docker env file reaches the
 * app as it is written (no shell expands it), as `~/scouting` does, which is refused: the app
 * made a folder named `$HOME` under the working directory and kept the event's data there.
 */
describe('sample app: DATA_DIR holding a variable no shell expanded', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h5-data-dir-var-');
  });
  afterEach(() => temp.cleanup());

  it.each(['$HOME/scouting', '${HOME}/scouting', '/srv/$EVENT/data'])('DATA_DIR=%s is refused naming it, and no folder is made', (value) => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      expect(() => readSampleConfig({ DATA_DIR: value, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(
        new TypeError(`DATA_DIR=${JSON.stringify(value)}: "$" names a variable only to a shell, and none read this value (a .env file, a service unit): write the full path`),
      );
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('takes a "$" that names no variable (a folder called "cost$"), as a path may hold one', () => {
    const dataDir = path.join(temp.dir, 'cost$', 'data');
    expect(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: 'test-token-0123456789abcdef' }).dataDir).toBe(dataDir);
    expect(existsSync(dataDir)).toBe(true);
  });
});
