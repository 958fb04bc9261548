import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DeletionFilter } from '../../lib/peers/delete-guard';
import { put } from '../helpers/file-roots';
import { captureLog } from '../helpers/log';
import { startPeers, type LivePeer } from '../helpers/peers';

const pit = (peer: LivePeer): string => path.join(peer.dataDir, 'uploads', 'pit');
const photos = (peer: LivePeer): string[] => readdirSync(pit(peer)).sort();

describe('SyncClient.confirmDeletions and syncPeer read their arguments as the routes do', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let a: LivePeer;
  let b: LivePeer;

  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh', { loggerFor: () => captureLog('silent').logger });
    [a, b] = cluster.peers as [LivePeer, LivePeer];
    for (let i = 0; i < 10; i += 1) put(pit(a), `photo-${i}.jpg`, `photo ${i}`);
    expect(await a.sync.syncNow()).toMatchObject([{ ok: true }]);
    for (const name of photos(b).slice(0, 6)) rmSync(path.join(pit(b), name));
    const [held] = await a.sync.syncNow();
    expect(held?.heldDeletions).toEqual([expect.objectContaining({ peer: b.syncUrl, count: 6 })]);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it.each<[string, unknown, RegExp]>([
    ['a misspelt key', { pear: 'http://127.0.0.1:1/api/sync' }, /unknown filter key\(s\) "pear"/],
    ['a misspelt root key', { Root: 'uploads' }, /unknown filter key\(s\) "Root"/],
    ['a number as the peer', { peer: 5 }, /`peer` must be a non-empty string/],
    ['an empty root', { root: '' }, /`root` must be a non-empty string/],
    ['a null filter', null, /takes \{ peer\?, root\? \}/],
    ['an array', ['uploads'], /takes \{ peer\?, root\? \}/],
    ['a peer over ftp', { peer: 'ftp://10.0.0.2/api/sync' }, /http or https/],
  ])('refuses %s with a TypeError and confirms nothing', async (_label, filter, message) => {
    expect(() => a.sync.client?.confirmDeletions(filter as DeletionFilter)).toThrow(TypeError);
    expect(() => a.sync.client?.confirmDeletions(filter as DeletionFilter)).toThrow(message);
    expect(a.sync.client?.heldDeletions()).toHaveLength(1);
    await a.sync.syncNow();
    expect(photos(a)).toHaveLength(10);
  });

  it('matches a peer given without its sync path, as `peers` and the route read it, and syncs it by that URL', async () => {
    const origin = new URL(b.syncUrl).origin;
    expect(a.sync.client?.confirmDeletions({ peer: origin, root: 'uploads' })).toEqual([expect.objectContaining({ peer: b.syncUrl, count: 6 })]);
    expect(await a.sync.client?.syncPeer(origin)).toMatchObject({ peer: b.syncUrl, ok: true, filesDeleted: 6 });
    expect(photos(a)).toEqual(photos(b));
    expect(await a.sync.client?.syncPeer(`${b.syncUrl}/`)).toMatchObject({ peer: b.syncUrl, ok: true });
  });

  it('still refuses a peer it does not sync with, and a url that is not a string', () => {
    expect(() => a.sync.client?.syncPeer('http://127.0.0.1:1')).toThrow(RangeError);
    expect(() => a.sync.client?.syncPeer('http://127.0.0.1:1')).toThrow('unknown peer http://127.0.0.1:1/api/sync');
    expect(() => a.sync.client?.syncPeer(5 as unknown as string)).toThrow(TypeError);
  });
});
