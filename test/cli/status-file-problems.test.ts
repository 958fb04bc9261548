import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatStatus } from '../../bin/commands/status';
import { put } from '../helpers/file-roots';
import { startPeers } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** `status` prints, under each peer, the file errors of its last round and the recent file conflicts with it. */
describe('express-sqlite-sync status shows file problems', () => {
  it('lists PATH_CONFLICT errors (a few, then "… and N more") and file conflicts; --json is the answer as it is', async () => {
    const { peers, close } = await startPeers(2, 'chain');
    try {
      const [a, b] = [peers[0]!, peers[1]!];
      // A file on one server, a folder of files at the same path on the other: every round fails on these paths
      // (twice each: the upload of the file, the download into the folder).
      for (let i = 0; i < 3; i += 1) {
        put(path.join(a.dataDir, 'uploads'), `clash-${i}`, 'a file here');
        put(path.join(b.dataDir, 'uploads'), `clash-${i}/inside.txt`, 'a folder there');
      }
      put(path.join(a.dataDir, 'uploads'), 'both.txt', 'written on A');
      put(path.join(b.dataDir, 'uploads'), 'both.txt', 'written on B');
      const [result] = await a.sync.client!.syncAll();
      expect(result!.fileErrors.filter((error) => error.code === 'PATH_CONFLICT')).toHaveLength(6);
      expect(result!.fileConflicts).toHaveLength(1);

      const { stdout } = await run(process.execPath, [CLI, 'status', '--url', a.url, '--token', TEST_TOKEN]);
      expect(stdout).toContain(`(${b.syncUrl})   last success`);
      expect(stdout).toMatch(/ {2}file errors in the last round \(6\), retried at the next sync:\n {4}uploads\/clash-\d\S*: PATH_CONFLICT: .+\n/);
      expect(stdout.match(/^ {4}uploads\/clash-\d\S*: PATH_CONFLICT: /gm)).toHaveLength(5);
      expect(stdout).toContain('    … and 1 more');
      expect(stdout).toMatch(/ {2}recent file conflicts \(1\), both versions kept:\n {4}uploads\/both\.txt \(this server's\) and uploads\/both\.sync-conflict-\S+\.txt \(the peer's\)/);

      const json = await run(process.execPath, [CLI, 'status', '--url', a.url, '--token', TEST_TOKEN, '--json']);
      const answer = JSON.parse(json.stdout) as { peers: Array<{ lastResult: { fileErrors: unknown[] } }>; fileConflicts: unknown[] };
      expect(answer.peers[0]!.lastResult.fileErrors).toHaveLength(6);
      expect(answer.fileConflicts).toHaveLength(1);
    } finally {
      await close();
    }
  }, 120_000); // two servers, a round and two runs of the CLI: 30 s was tight on a loaded machine

  it('skips odd entries of a server and keeps a line break in its text from making a line of its own', () => {
    const peer = { url: 'http://10.0.0.3:5000/api/sync', running: false, failures: 0, lastResult: { fileErrors: [{ path: 'uploads/a', code: 'X', message: 'one\nFAKE LINE' }, { path: 7 }] } };
    const text = formatStatus({ conflicts: 0, peers: [peer], fileConflicts: [{ path: 'uploads/b', copyPath: 'uploads/b.c', peer: 'http://other' }, 'odd'] } as unknown as Parameters<typeof formatStatus>[0]);
    expect(text).toContain('  file errors in the last round (1), retried at the next sync:\n    uploads/a: X: one FAKE LINE');
    expect(text).not.toContain('recent file conflicts');
  });
});
