import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { formatResult } from '../../bin/commands/sync';
import { FILE_ERRORS_LISTED, type PeerSyncResult } from '../../lib/peers/sync-status';
import { put } from '../helpers/file-roots';
import { captureLog, type CapturedLog } from '../helpers/log';
import { startPeers } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Paths that are a file on one server and a folder of files on the other: two file errors each, every round. */
const CLASHES = 20;
const ERRORS = 2 * CLASHES;

/**
 * A peer that fails every file (a full disk, a folder where files go) gave one `fileErrors` entry and one
 * `files.error` log line per file per round, thousands of them: a round now lists and logs the first
 * FILE_ERRORS_LISTED, counts them all in `fileErrorCount`, and logs one `files.errors_omitted` line for the rest.
 */
describe('file errors of a round are bounded, and counted in full', () => {
  it('in the result, the log, GET /status and the CLI', async () => {
    const logs = new Map<string, CapturedLog>();
    const { peers, close } = await startPeers(2, 'chain', {
      loggerFor: (name) => {
        const log = captureLog('warn');
        logs.set(name, log);
        return log.logger;
      },
    });
    try {
      const [a, b] = [peers[0]!, peers[1]!];
      for (let i = 0; i < CLASHES; i += 1) {
        put(path.join(a.dataDir, 'uploads'), `clash-${i}`, 'a file here');
        put(path.join(b.dataDir, 'uploads'), `clash-${i}/inside.txt`, 'a folder there');
      }
      const [result] = await a.sync.client!.syncAll();
      expect(result!.fileErrorCount).toBe(ERRORS);
      expect(result!.fileErrors).toHaveLength(FILE_ERRORS_LISTED);
      expect(result!.fileErrors.every((error) => error.code === 'PATH_CONFLICT')).toBe(true);

      const log = logs.get('server-0')!;
      expect(log.events('files.error')).toHaveLength(FILE_ERRORS_LISTED);
      expect(log.events('files.errors_omitted')).toEqual([
        expect.objectContaining({ peer: b.syncUrl, fileErrors: ERRORS, omitted: ERRORS - FILE_ERRORS_LISTED, msg: expect.stringContaining(`${ERRORS} in all`) }),
      ]);

      const status = await request(a.url).get('/api/sync/status').set({ Authorization: `Bearer ${TEST_TOKEN}` }).expect(200);
      const lastResult = (status.body as { peers: Array<{ lastResult: { fileErrors: unknown[]; fileErrorCount: number } }> }).peers[0]!.lastResult;
      expect(lastResult.fileErrors).toHaveLength(FILE_ERRORS_LISTED);
      expect(lastResult.fileErrorCount).toBe(ERRORS);

      const { stdout } = await run(process.execPath, [CLI, 'status', '--url', a.url, '--token', TEST_TOKEN]);
      expect(stdout).toContain(`  file errors in the last round (${ERRORS}), retried at the next sync:`);
      expect(stdout.match(/^ {4}uploads\/clash-\d+\S*: PATH_CONFLICT: /gm)).toHaveLength(5);
      expect(stdout).toContain(`    … and ${ERRORS - 5} more`);

      expect(formatResult(result as PeerSyncResult)).toContain(`… and ${ERRORS - 5} more`);
    } finally {
      await close();
    }
  }, 120_000); // two servers, a round and a run of the CLI: 30 s was tight on a loaded machine
});
