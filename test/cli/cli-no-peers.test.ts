import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** Runs the built command-line tool as a user would; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('express-sqlite-sync sync against a server with no peers', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  beforeAll(async () => {
    cluster = await startPeers(1, 'none');
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('says "no peers configured (SYNC_PEERS)", as status does, and exits 0', async () => {
    const [server] = cluster.peers as [LivePeer];
    const sync = await cli('sync', '--url', server.syncUrl, '--token', TEST_TOKEN);
    expect(sync).toEqual({ code: 0, stdout: 'no peers configured (SYNC_PEERS)\n', stderr: '' });
    const status = await cli('status', '--url', server.syncUrl, '--token', TEST_TOKEN);
    expect(status.stdout).toContain('no peers configured (SYNC_PEERS)');
  });

  it('with --json prints the results as they are: an empty list', async () => {
    const [server] = cluster.peers as [LivePeer];
    const sync = await cli('sync', '--url', server.syncUrl, '--token', TEST_TOKEN, '--json');
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toEqual([]);
  });
});
