import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, treeDigest, ROOT_NAMES } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by the fault hunt (flaky Wi-Fi): when the link to a peer went silent
// (or was cut) during the file part of a round, the root under way stopped,
// but each root after it asked the peer for its listing again, each waiting
// peerTimeoutMs for a peer that was gone: five roots, five timeouts, while
// every other peer's file sync waited its turn behind this one. Once the peer
// goes silent under a root, the roots after it wait for the next round; after
// a cut, which fails at once, they are still tried (a file the link cannot
// carry must not hold them back round after round).
describe('a link lost during the file part of a round', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let peerRoots: Record<string, string>;
  let proxy: FaultProxy;
  let client: SyncClient;
  let roots: Record<string, string>;
  let url: string;
  /** The roots whose listing (`GET /files/checksums`) reached the peer, in order. */
  let listed: string[];
  beforeEach(async () => {
    temp = tempDir('ess-h5-files-lost-');
    peerRoots = makeRoots(path.join(temp.dir, 'peer'));
    const peerNode = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: peerRoots });
    listed = [];
    const app = express()
      .use((req, res, next) => {
        if (req.path === '/api/sync/files/checksums') listed.push(String(req.query.path));
        // The round's first request (which id the peer's file sync goes by) on a connection of its own: the link is lost after it, under the roots.
        if (req.path === '/api/sync/files/info') res.setHeader('Connection', 'close');
        next();
      })
      .use('/api/sync', peerNode.router);
    peer = await startServer(app);
    proxy = await startFaultProxy(peer.port);
    url = `${proxy.url}/api/sync`;
    roots = makeRoots(path.join(temp.dir, 'local'));
    const node = createSyncNode({ logger: silentLogger, peers: [url], token: TEST_TOKEN, roots, stateDir: path.join(temp.dir, 'state'), peerTimeoutMs: 3000 }); // the healed round's answers must never take it on a loaded machine (300 ms did)
    client = node.client as SyncClient;
  });
  afterEach(async () => {
    await client.stop(0);
    await proxy.close();
    await peer.close();
    temp.cleanup();
  });

  it.each<[string, Fault, string, number]>([
    ['silent: the roots after it are not asked for', { kind: 'stall', direction: 'down', afterBytes: 0 }, 'PEER_TIMEOUT', 1],
    ['cut (fails at once): the roots after it are still tried', { kind: 'cut', direction: 'down', afterBytes: 0 }, 'ECONNRESET', ROOT_NAMES.length],
  ])('%s, and all sync once the link heals', async (_label, fault, code, listings) => {
    for (const name of ROOT_NAMES) put(peerRoots[name] as string, `${name}.txt`, name);
    proxy.setPlan((index) => (index === 0 ? { kind: 'pass' } : fault));
    const lost = await client.syncPeer(url);
    expect(lost).toMatchObject({ ok: false, error: { code } });
    expect(client.peerStatuses()[0]).toMatchObject({ state: 'unreachable', lastErrorCode: code });
    expect(listed).toHaveLength(listings); // silent: the first root's listing only, which never came back
    proxy.heal();
    expect(await client.syncPeer(url)).toMatchObject({ ok: true, filesDown: ROOT_NAMES.length });
    for (const name of ROOT_NAMES) expect(treeDigest(roots[name] as string)).toBe(treeDigest(peerRoots[name] as string));
  });
});
