import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { heldPeer } from '../helpers/h2-held-peer';

describe('the progress of a files-only round', () => {
  // A server that syncs only files said nothing until its first file moved: with a peer that does not
  // answer, POST /run?stream=ndjson had no line to repeat every 10 s, and `express-sqlite-sync sync
  // --timeout 20000` gave up ("no data") on a round that was only waiting for the peer (30 s).
  it('begins with a files line before anything is asked of the peer, so a streamed run has a line to repeat', async () => {
    const temp = tempDir('ess-h2-files-progress-');
    const uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    const peer = await heldPeer();
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { uploads }, stateDir: path.join(temp.dir, 'state'), peers: [peer.url] });
    try {
      const client = node.client;
      if (client === undefined) throw new Error('no client');
      const seen: SyncProgress[] = [];
      client.on('progress', (progress) => seen.push(progress));
      const round = client.syncAll();
      await peer.firstRequest; // the round is now waiting for the peer
      expect(seen).toEqual([{ peer: peer.url, phase: 'files', done: 0, total: undefined }]);
      peer.release();
      expect(await round).toMatchObject([{ ok: false }]);
    } finally {
      await node.stop(0);
      await peer.close();
      temp.cleanup();
    }
  });
});
