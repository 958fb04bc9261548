import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { runSampleApp as runApp } from '../helpers/k3-sample-app-process';
import { APP_PROCESS_KILL_MS, APP_PROCESS_TIMEOUT_MS } from '../helpers/k2-app-process';
import { tempDir } from '../helpers/temp';

const TOKEN = 'test-token-0123456789abcdef';

describe('DATA_DIR where no folder can be made: a one-line refusal naming DATA_DIR, never a hang or a bare ENOENT', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-data-dir-');
  });
  afterEach(() => temp.cleanup());

  it('a symbolic link to a drive that is not mounted (it leads nowhere)', () => {
    const link = path.join(temp.dir, 'data');
    symlinkSync(path.join(temp.dir, 'usb-stick', 'data'), link);
    expect(() => readSampleConfig({ DATA_DIR: link, SYNC_TOKEN: TOKEN })).toThrow(
      `DATA_DIR=${link}: its folders cannot be made there (ENOENT: a symbolic link on the way leads nowhere, such as to a drive not mounted, or it is under a system folder such as /proc); point DATA_DIR at a folder on a mounted disk`,
    );
    expect(readdirSync(temp.dir)).toEqual(['data']); // the link only: nothing made where it leads
  });

  (existsSync('/proc/self') ? it : it.skip)('a folder under /proc: npm start exits 1 at once with one line (Node\'s recursive mkdir spun there forever)', async () => {
    const result = await runApp({ DATA_DIR: '/proc/ess-no-such-folder/data', SYNC_TOKEN: TOKEN }, APP_PROCESS_KILL_MS); // killed as hung only after that: ts-node alone takes 15 s on a loaded machine
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'sample app failed to start: DATA_DIR=/proc/ess-no-such-folder/data: its folders cannot be made there (ENOENT: a symbolic link on the way leads nowhere, such as to a drive not mounted, or it is under a system folder such as /proc); point DATA_DIR at a folder on a mounted disk\n',
    });
  }, APP_PROCESS_TIMEOUT_MS);
});
