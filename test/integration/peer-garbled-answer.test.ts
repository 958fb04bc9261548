import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { peerStateOf } from '../../lib/peers/failure-codes';
import { SyncClient } from '../../lib/peers/sync-client';
import { tableRows, TEST_SCHEMA, tempDb } from '../helpers/data';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Found by the fault-injection hunt: an answer whose bytes came garbled (here its
// first byte dropped, as a broken middlebox does) failed the round with Node's
// parser code (`HPE_INVALID_CONSTANT`) and its bare message ("Parse Error:
// Expected HTTP/, RTSP/ or ICE/"), which names no peer and is in no list of
// docs/API.md; it is `PEER_BAD_ANSWER`, naming the peer, and the next round works.
describe('a peer whose answer arrives garbled', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  let proxy: FaultProxy;
  beforeEach(async () => {
    temp = tempDir('ess-garbled-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 20, 'g');
    proxy = await startFaultProxy(Number(new URL(peer.server.url).port));
  });
  afterEach(async () => {
    await proxy.close();
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it('is PEER_BAD_ANSWER naming the peer, and the next round syncs', async () => {
    const fault: Fault = { kind: 'drop-first-byte' };
    const url = `${proxy.url}/api/sync`;
    const fresh = tempDb(TEST_SCHEMA);
    const client = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }) });
    try {
      proxy.setPlan((index) => (index === 0 ? fault : { kind: 'pass' }));
      const first = await client.syncPeer(url);
      expect(first).toMatchObject({ ok: false, error: { code: 'PEER_BAD_ANSWER' } });
      expect(first.error?.message).toContain(url);
      expect(first.error?.message).toMatch(/answered something that is not HTTP/);
      expect(peerStateOf(false, undefined, first.error?.code)).toBe('failing');
      const second = await client.syncPeer(url);
      expect(second).toMatchObject({ ok: true, rowsPulled: 20 });
      expect(tableRows(fresh.db, 'teams')).toEqual(tableRows(peer.data.db, 'teams'));
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });
});
