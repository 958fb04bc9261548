import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { FileSyncState } from '../../../lib/peers/file-sync-state';
import { KnownPeers } from '../../../lib/peers/known-peers';
import { tempDir } from '../../helpers/temp';

/**
 * A laptop whose disk is full: every sync round saves the file-sync base (`files-<key>.json`) and,
 * after a success, `peers.json` in the state folder, each through a temp file beside it. The write of
 * the temp file failed (ENOSPC) and the temp file was left behind, still reserved by this process, so
 * no sweep removed it before a restart: seen on a full 30 MB tmpfs, 26 empty
 * `.files-….json.sync-tmp-…` files in 25 s, one more every round, for as long as the disk stays full.
 * A failed save leaves no temp file.
 */
describe('a state file save that fails (disk full)', () => {
  let temp: ReturnType<typeof tempDir>;
  let restore: () => void;
  beforeEach(async () => {
    temp = tempDir('ess-z1-state-full-');
    const probe = await open(path.join(temp.dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { writeFile: (...args: unknown[]) => Promise<void> };
    await probe.close();
    const original = proto.writeFile;
    proto.writeFile = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    restore = () => {
      proto.writeFile = original;
    };
  });
  afterEach(() => {
    restore();
    temp.cleanup();
  });

  const leftovers = async (): Promise<string[]> => (await readdir(temp.dir)).filter((name) => name.includes('.sync-tmp-'));

  it('FileSyncState.save rejects and leaves no temp file', async () => {
    const state = await FileSyncState.load(path.join(temp.dir, 'files-0123456789abcdef.json'));
    for (let round = 0; round < 3; round += 1) {
      state.settle('uploads', `a${round}.txt`, 'a'.repeat(64));
      await expect(state.save()).rejects.toMatchObject({ code: 'ENOSPC' });
    }
    expect(await leftovers()).toEqual([]);
  });

  it('KnownPeers.noteSuccess rejects and leaves no temp file', async () => {
    const peers = new KnownPeers(temp.dir);
    for (let round = 1; round <= 3; round += 1) await expect(peers.noteSuccess('http://10.0.0.2:5000/api/sync', round)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await leftovers()).toEqual([]);
  });
});
