import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import type { SyncClient } from '../../lib/peers/sync-client';
import { put, tempFilesUnder } from '../helpers/file-roots';
import { startFilePair, type FilePair } from '../helpers/file-pair';

// Found by the fault hunt: a log this server's app keeps writing was sent
// with the size it had when the upload began, but read to its end: lines
// written after the listing made the peer refuse it (HASH_MISMATCH: the bytes
// were not the listed ones), and lines written while it was on its way ran
// past the Content-Length, so the peer saw a multipart body cut short
// (MALFORMED_MULTIPART) and the rest as a garbled next request. Every round,
// for as long as the log was written: it never synced. The upload now sends
// the bytes listed, from one open handle: the version listed lands, the lines
// written since go with the next round.
describe('a file that grows here between its listing and its upload', () => {
  let pair: FilePair;
  let peerRoots: Record<string, string>;
  let peer: FilePair['peer'];
  let client: SyncClient;
  let roots: Record<string, string>;
  /** Which upload (by path) makes this server's app write a line to its log when the peer sees it arrive. */
  let appendOn: string;
  /** Which upload (by path) makes this server's app cut its log short (a rotation that truncates in place) when the peer sees it arrive. */
  let truncateOn: string;
  beforeEach(async () => {
    pair = await startFilePair('ess-h6-growing-here-', (app, sides) => {
      app.use('/api/sync/files/upload', (req, _res, next) => {
        if (req.query.path === appendOn) appendFileSync(path.join(sides.roots.logs as string, 'robot.log'), 'one more line\n');
        if (req.query.path === truncateOn) truncateSync(path.join(sides.roots.logs as string, 'robot.log'), 100);
        next();
      });
    });
    ({ peerRoots, roots, peer, client } = pair);
  });
  afterEach(() => pair.close());

  beforeEach(() => {
    appendOn = 'nothing';
    truncateOn = 'nothing';
  });

  it.each([
    ['after the listing, before its upload', 'logs/a-first.txt', 70_000],
    ['while it is on its way', 'logs/robot.log', 8 * 1024 * 1024],
  ])('lands the version listed when it grows %s, and the lines written since with the next round', async (_when, trigger, bytes) => {
    appendOn = trigger;
    put(roots.logs as string, 'a-first.txt', 'uploaded first');
    const listed = Buffer.alloc(bytes, 'log line\n');
    put(roots.logs as string, 'robot.log', listed);
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, filesUp: 2, fileErrors: [] });
    expect(readFileSync(path.join(peerRoots.logs as string, 'robot.log')).equals(listed)).toBe(true);
    appendOn = 'nothing';
    expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true, filesUp: 1, fileErrors: [] });
    expect(readFileSync(path.join(peerRoots.logs as string, 'robot.log')).equals(readFileSync(path.join(roots.logs as string, 'robot.log')))).toBe(true);
    expect(tempFilesUnder(peerRoots.logs as string)).toEqual([]);
  });

  it('refuses at once, as changed here, a log cut short while it is on its way (never a body shorter than its Content-Length)', async () => {
    truncateOn = 'logs/robot.log';
    put(roots.logs as string, 'robot.log', Buffer.alloc(8 * 1024 * 1024, 'log line\n'));
    const round = await client.syncPeer(`${peer.url}/api/sync`);
    expect(round).toMatchObject({ ok: true, filesUp: 0, fileErrors: [expect.objectContaining({ path: 'logs/robot.log', code: 'LOCAL_CHANGED' })] });
    for (const started = Date.now(); tempFilesUnder(peerRoots.logs as string).length > 0 && Date.now() - started < 30_000; ) await new Promise((resolve) => setTimeout(resolve, 20)); // generous: a loaded machine
    expect(tempFilesUnder(peerRoots.logs as string)).toEqual([]);
    truncateOn = 'nothing';
    expect(await client.syncPeer(`${peer.url}/api/sync`)).toMatchObject({ ok: true, filesUp: 1, fileErrors: [] });
    expect(readFileSync(path.join(peerRoots.logs as string, 'robot.log')).equals(readFileSync(path.join(roots.logs as string, 'robot.log')))).toBe(true);
  });
});
