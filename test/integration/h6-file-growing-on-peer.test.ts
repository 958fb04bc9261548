import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SyncClient } from '../../lib/peers/sync-client';
import { put, tempFilesUnder } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';

// Found by the fault hunt: a log the peer's app keeps writing (a line a
// second, robot telemetry) grew between the peer's listing and the download,
// so the download brought more bytes than listed and was refused every round
// (REMOTE_CHANGED, "grew past the N bytes the peer listed"): a busy log never
// synced. The download now asks for the bytes listed (`Range: bytes=0-<size-1>`)
// and checks them against the listed SHA-256: the version listed lands, the
// lines written since come with the next round.
describe('a file that grows on the peer between its listing and its download', () => {
  let pair: FilePair;
  let peerRoots: Record<string, string>;
  let peer: FilePair['peer'];
  let client: SyncClient;
  let roots: Record<string, string>;
  beforeEach(async () => {
    pair = await startFilePair('ess-h6-growing-', (app, sides) => {
      // The app writes a line to its log whenever the log is asked for: always after the listing.
      app.use('/api/sync/files/download', (req, _res, next) => {
        if (req.query.path === 'logs/robot.log') appendFileSync(path.join(sides.peerRoots.logs as string, 'robot.log'), 'one more line\n');
        next();
      });
    });
    ({ peerRoots, roots, peer, client } = pair);
  });
  afterEach(() => pair.close());

  it('lands the version listed, and the lines written since with the next round', async () => {
    const first = 'line 1\n'.repeat(10_000);
    put(peerRoots.logs as string, 'robot.log', first);
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(readFileSync(path.join(roots.logs as string, 'robot.log'), 'utf8')).toBe(first);
    const listedNext = readFileSync(path.join(peerRoots.logs as string, 'robot.log'), 'utf8'); // what the next listing holds
    expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true, filesDown: 1, fileErrors: [] });
    expect(readFileSync(path.join(roots.logs as string, 'robot.log'), 'utf8')).toBe(listedNext);
    expect(tempFilesUnder(roots.logs as string)).toEqual([]);
  });
});
