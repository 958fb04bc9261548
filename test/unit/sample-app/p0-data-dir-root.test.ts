import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * `DATA_DIR=$EVENT_DIR/` in a script whose variable is unset reaches the app
 * as `/`: it was taken, and a start as root made instance/, config/,
 * uploads/, logs/, static/ and .sample-app.lock at the top of the disk.
 */
describe('sample app: DATA_DIR at the top of the file system', () => {
  it.each(['/', '//', '/.', '/tmp/..', ' / '])('DATA_DIR=%j is refused naming it, and nothing is made', (value) => {
    expect(() => readSampleConfig({ DATA_DIR: value, SYNC_TOKEN: 'test-token-0123456789abcdef' })).toThrow(
      new TypeError(`DATA_DIR=${JSON.stringify(value.trim())} is the top of the file system (/), not a data folder (a variable before it left unset?): name the app's own folder, e.g. /srv/scouting/data`),
    );
    expect(existsSync('/instance')).toBe(false);
    expect(existsSync('/.sample-app.lock')).toBe(false);
  });

  it('takes a folder one level below it', () => {
    const temp = tempDir('ess-p0-data-dir-');
    try {
      const dataDir = path.join(temp.dir, 'data');
      expect(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: 'test-token-0123456789abcdef' }).dataDir).toBe(dataDir);
    } finally {
      temp.cleanup();
    }
  });
});
