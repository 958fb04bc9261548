import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const PEER = 'http://127.0.0.1:9/api/sync';

/**
 * `stateDir` inside a sync root is refused (its per-peer bases and files-site.json would sync as
 * files), but the check compared the roots' real paths with the stateDir as written: one named
 * through a symbolic link (`/srv/data -> /mnt/disk/data`, stateDir `/srv/data/uploads/.state`)
 * was taken, and the sync state was kept in the root. It is compared by real path now.
 */
describe('a stateDir named through a symbolic link', () => {
  let temp: ReturnType<typeof tempDir>;
  let real: string;
  let link: string;
  beforeEach(() => {
    temp = tempDir('ess-al1-state-link-');
    real = path.join(temp.dir, 'disk');
    mkdirSync(path.join(real, 'uploads'), { recursive: true });
    link = path.join(temp.dir, 'data');
    symlinkSync(real, link);
  });
  afterEach(() => temp.cleanup());

  const start = (uploads: string, stateDir: string) => createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { uploads }, peers: [PEER], stateDir });

  it.each([
    ['the root and stateDir through the link', () => path.join(link, 'uploads'), () => path.join(link, 'uploads', '.state')],
    ['the root by its real path, stateDir through the link', () => path.join(real, 'uploads'), () => path.join(link, 'uploads', 'deeper', 'state')],
    ['stateDir through a link to the root itself', () => path.join(real, 'uploads'), () => path.join(link, 'uploads')],
  ])('is refused inside a root: %s', (_case, uploads, stateDir) => {
    expect(() => start(uploads(), stateDir())).toThrow(/`stateDir` is inside the sync root "uploads"; keep it outside every root/);
    expect(readdirSync(path.join(real, 'uploads'))).toEqual([]);
  });

  it('is taken beside the root, through the link too', async () => {
    const node = start(path.join(link, 'uploads'), path.join(link, '.sync-state'));
    await node.stop();
    expect(readdirSync(path.join(real, 'uploads'))).toEqual([]);
  });
});
