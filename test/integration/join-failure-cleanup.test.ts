import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { joinFromPeer } from '../../index';
import { stallingPeer } from '../helpers/stalling-peer';
import { tempDir } from '../helpers/temp';

/**
 * A join that fails removes what it made (its temp snapshot, the folders it
 * made for `db` while empty) and nothing else: it used to remove the folder
 * it made recursively, with whatever someone put there meanwhile.
 */
describe('joinFromPeer that fails mid-download', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  async function failedJoin(folder: string, meanwhile: () => void): Promise<unknown> {
    const peer = await stallingPeer();
    try {
      // peerTimeoutMs is the window in which the test acts meanwhile: 1.5 s was short on a loaded machine.
      const joining = joinFromPeer({ url: peer.url, token: 'test-token-0123456789abcdef', db: path.join(folder, 'app.db'), peerTimeoutMs: 5000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      for (let waited = 0; !(existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('.app.db.sync-tmp-'))); waited += 20) {
        if (waited > 10_000) throw new Error('no temp snapshot appeared');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      meanwhile();
      return await joining;
    } finally {
      await peer.close();
    }
  }

  it('keeps a file someone put in the folder it made, and that folder; its own temp snapshot is gone', async () => {
    const folder = path.join(temp.dir, 'fresh', 'laptop');
    const error = await failedJoin(folder, () => writeFileSync(path.join(folder, 'settings.json'), '{"eventName":"Qualifier"}'));
    expect(error).toBeInstanceOf(Error);
    expect(readdirSync(folder)).toEqual(['settings.json']);
    expect(readFileSync(path.join(folder, 'settings.json'), 'utf8')).toBe('{"eventName":"Qualifier"}');
  });

  it('still removes the folders it made when nothing else is in them', async () => {
    const error = await failedJoin(path.join(temp.dir, 'fresh', 'laptop'), () => undefined);
    expect(error).toBeInstanceOf(Error);
    expect(readdirSync(temp.dir)).toEqual([]);
  });
});
