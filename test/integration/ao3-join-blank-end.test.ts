import { readdirSync } from 'node:fs';
import path from 'node:path';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// better-sqlite3 trims the name of a file it opens. joinFromPeer({ db: 'app.db ' })
// placed the snapshot at "app.db ", then opened "app.db" for the pull after it: an
// empty database made beside it, the pull failing with CAPTURE_REFUSED (no such
// table), and no served mark. A target whose name ends with a blank is now
// TARGET_INVALID, before anything is made or downloaded.
describe('joinFromPeer into a file name ending with a blank', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-ao3-join-blank-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 5, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it.each(['app.db ', 'app.db\t', 'app.db\u00a0'])('%j is TARGET_INVALID naming the file SQLite would open, and nothing is written', async (name) => {
    const dir = path.join(temp.dir, `case-${name.charCodeAt(name.length - 1)}`);
    await expect(joinFromPeer({ url: peer.syncUrl, token: TEST_TOKEN, db: path.join(dir, name) })).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      status: 400,
      message: expect.stringContaining('ends with a blank') as unknown,
    });
    expect(readdirSync(temp.dir).filter((entry) => entry.startsWith('case-'))).toEqual([]);
  });
});
