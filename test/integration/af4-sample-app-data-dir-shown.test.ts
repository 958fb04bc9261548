import path from 'node:path';
import { readSampleConfig } from '../../sample-app/config';
import { startBanner } from '../../sample-app/server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: a typo in DATA_DIR (`/srv/scouting/dta`, or the database's own path
// `…/instance/app.db` when it was not there) started the app on a new, empty data folder, and the
// banner did not show which folder it used: the reports "were gone" with nothing saying why (only the
// app.listening log line held the path). The banner now shows the data folder, and says when this start made it.
describe('af4: the banner shows the data folder, and whether this start made it', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-af4-data-dir-');
  });
  afterEach(() => temp.cleanup());

  it('a folder made by this start is said to be new and empty; the next start shows the path alone', () => {
    const dataDir = path.join(temp.dir, 'dta');
    const first = startBanner(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN }), 'http://127.0.0.1:1');
    expect(first).toContain(`Data:       ${dataDir} (made by this start: a new, empty data folder; if you meant another one, check DATA_DIR)\n`);
    const next = startBanner(readSampleConfig({ DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN }), 'http://127.0.0.1:1');
    expect(next).toContain(`Data:       ${dataDir}\n`);
  });

  it('a relative DATA_DIR is shown as the full path it resolved to', () => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      const banner = startBanner(readSampleConfig({ DATA_DIR: 'data', SYNC_TOKEN: TEST_TOKEN }), 'http://127.0.0.1:1');
      expect(banner).toContain(`Data:       ${path.join(process.cwd(), 'data')} (made by this start`);
    } finally {
      process.chdir(cwd);
    }
  });
});
