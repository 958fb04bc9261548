import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';

/**
 * Each server keeps its own base of the file sync with the other; a round run
 * by either side must count as the last sync for both (POST /files/settled).
 */
describe('a file round run by either server is the last sync for both', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let d: LivePeer;
  let e: LivePeer;

  beforeEach(async () => {
    cluster = await startPeers(2, 'mesh');
    [d, e] = cluster.peers as [LivePeer, LivePeer];
  });
  afterEach(async () => {
    await cluster.close();
  });

  /** One round of `from` with `to`, run by `from` (as `POST /api/sync/run` does); it must succeed. Returns the new conflict copies. */
  async function run(from: LivePeer, to: LivePeer): Promise<string[]> {
    const result = await from.sync.client?.syncPeer(to.syncUrl);
    expect(result).toMatchObject({ ok: true, fileErrors: [], heldDeletions: [] });
    return (result?.fileConflicts ?? []).map((conflict) => conflict.copyPath);
  }

  const file = (peer: LivePeer, clientPath: string): string => path.join(peer.dataDir, clientPath);
  const read = (peer: LivePeer, clientPath: string): string | undefined => (existsSync(file(peer, clientPath)) ? readFileSync(file(peer, clientPath), 'utf8') : undefined);
  const conflictCopies = (peer: LivePeer, root: string): string[] => readdirSync(path.join(peer.dataDir, root)).filter((name) => name.includes('.sync-conflict-'));

  it('keeps a revert made where the edit came from (no lost edit)', async () => {
    put(path.join(d.dataDir, 'config'), 't.json', '{"x":1}');
    await run(d, e);
    await run(e, d);
    await run(d, e);
    writeFileSync(file(d, 'config/t.json'), '{"x":2}');
    await run(e, d); // e pulls {"x":2}
    expect(read(e, 'config/t.json')).toBe('{"x":2}');
    writeFileSync(file(d, 'config/t.json'), '{"x":1}'); // d reverts on purpose
    expect(await run(d, e)).toEqual([]);
    expect(read(d, 'config/t.json')).toBe('{"x":1}');
    expect(read(e, 'config/t.json')).toBe('{"x":1}');
    expect([...conflictCopies(d, 'config'), ...conflictCopies(e, 'config')]).toEqual([]);
  });

  it('sends a newer edit of a file the peer pulled, with no conflict copy of its own older version', async () => {
    put(path.join(d.dataDir, 'uploads'), 's.txt', 'v0');
    await run(d, e);
    await run(e, d);
    writeFileSync(file(d, 'uploads/s.txt'), 'v1');
    await run(e, d); // e pulls v1
    writeFileSync(file(d, 'uploads/s.txt'), 'v2');
    expect(await run(d, e)).toEqual([]);
    expect(read(d, 'uploads/s.txt')).toBe('v2');
    expect(read(e, 'uploads/s.txt')).toBe('v2');
    expect([...conflictCopies(d, 'uploads'), ...conflictCopies(e, 'uploads')]).toEqual([]);
  });

  it('deletes on the peer a file deleted where it was pulled to (the deletion is not undone)', async () => {
    put(path.join(d.dataDir, 'uploads'), 'r.txt', 'r0');
    for (const name of ['keep-1.txt', 'keep-2.txt']) put(path.join(d.dataDir, 'uploads'), name, name); // one deletion of three files: under the mass-delete guard's share
    await run(d, e);
    await run(e, d);
    writeFileSync(file(e, 'uploads/r.txt'), 'r1');
    await run(d, e); // d pulls r1
    expect(read(d, 'uploads/r.txt')).toBe('r1');
    rmSync(file(d, 'uploads/r.txt'));
    await run(e, d);
    expect(read(d, 'uploads/r.txt')).toBeUndefined();
    expect(read(e, 'uploads/r.txt')).toBeUndefined();
  });

  it('keeps what the peer settled before this server ever ran a round with it (the very first round is the peer\'s)', async () => {
    put(path.join(d.dataDir, 'uploads'), 'report.txt', 'r0');
    for (const name of ['keep-1.txt', 'keep-2.txt']) put(path.join(d.dataDir, 'uploads'), name, name); // under the mass-delete guard's share
    await run(e, d); // e pulls everything; d has never shaken hands with e: it did not know which peer sent the settlement
    rmSync(file(d, 'uploads/report.txt'));
    await run(d, e); // d's first round with e: the deletion goes out, the file does not come back
    expect(read(d, 'uploads/report.txt')).toBeUndefined();
    expect(read(e, 'uploads/report.txt')).toBeUndefined();
    writeFileSync(file(d, 'uploads/keep-1.txt'), 'edited on d');
    expect(await run(d, e)).toEqual([]);
    expect(read(e, 'uploads/keep-1.txt')).toBe('edited on d');
  });
});
