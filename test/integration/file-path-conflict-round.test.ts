import { readFileSync } from 'node:fs';
import path from 'node:path';
import { put } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';

// Found by a hostile probe (helper w1): a file on one server where the other has a folder of that name holding
// files never heals by itself, yet every round was `ok` and the peer `ok` on /status, for ever.
describe('a file here where the peer has a folder of its name', () => {
  let pair: FilePair;
  beforeEach(async () => {
    pair = await startFilePair('ess-path-conflict-', () => undefined);
  });
  afterEach(() => pair.close());

  it('fails the round with PATH_CONFLICT (the peer is failing, not ok), each side keeping what it has', async () => {
    const { roots, peerRoots, client, peer } = pair;
    put(roots.uploads as string, 'tf', 'a file here');
    put(peerRoots.uploads as string, 'tf/inner.txt', 'a file in a folder there');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const round = await client.syncPeer(`${peer.url}/api/sync`);
      expect(round.ok).toBe(false);
      expect(round.error?.code).toBe('PATH_CONFLICT');
      expect(round.fileErrors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'PATH_CONFLICT' })]));
    }
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'failing', lastErrorCode: 'PATH_CONFLICT' });
    expect(readFileSync(path.join(roots.uploads as string, 'tf'), 'utf8')).toBe('a file here');
    expect(readFileSync(path.join(peerRoots.uploads as string, 'tf/inner.txt'), 'utf8')).toBe('a file in a folder there');
  });
});
