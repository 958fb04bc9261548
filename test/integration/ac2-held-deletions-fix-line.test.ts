import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { put } from '../helpers/file-roots';
import { CLI, runCli } from '../helpers/h7-cli';
import { captureLog } from '../helpers/log';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const run = promisify(execFile);
const pit = (peer: LivePeer): string => path.join(peer.dataDir, 'uploads', 'pit');

/**
 * Deletions held back by the mass-delete guard: `status` printed the command that
 * confirms them, but `sync` said only "see `express-sqlite-sync status`, then
 * confirm-deletions if intended", and the log "confirm with `express-sqlite-sync
 * confirm-deletions`", which pasted is a usage error (no --url) and, with one,
 * confirms every peer's and root's holds. Both now give the command for that peer
 * and root (the log, which cannot know this server's URL, with a placeholder for it).
 */
describe('the command that confirms held deletions, as sync and the log print it', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let log: ReturnType<typeof captureLog>;
  let a: LivePeer;
  let b: LivePeer;

  beforeEach(async () => {
    log = captureLog();
    cluster = await startPeers(2, 'mesh', { loggerFor: (name) => (name === 'server-0' ? log.logger : captureLog('silent').logger) });
    [a, b] = cluster.peers as [LivePeer, LivePeer];
    for (let i = 0; i < 4; i += 1) put(pit(a), `photo-${i}.jpg`, `photo ${i}`);
    expect(await a.sync.syncNow()).toMatchObject([{ ok: true }]);
    for (let i = 0; i < 3; i += 1) rmSync(path.join(pit(b), `photo-${i}.jpg`));
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('sync prints the command for the peer and root, which confirms them when run as printed; the log names them', async () => {
    const synced = await runCli(['sync', '--url', a.url], { SYNC_TOKEN: TEST_TOKEN });
    expect(synced.code).toBe(0);
    const command = `npx express-sqlite-sync confirm-deletions --url ${a.url} --peer ${b.syncUrl} --root uploads`;
    expect(synced.stdout).toContain(`! HELD: syncing uploads would delete 3 of 4 files on this server (75%); every file is kept. If that is intended: ${command}`);
    expect(String(log.events('files.deletions_held')[0]?.msg)).toContain(`npx express-sqlite-sync confirm-deletions --url <this server's sync API> --peer ${b.syncUrl} --root uploads`);

    const pasted = command.replace(/^npx express-sqlite-sync /, `${process.execPath} ${CLI} `);
    await run('sh', ['-c', pasted], { env: { ...process.env, SYNC_TOKEN: TEST_TOKEN } });
    expect(readdirSync(pit(a)).sort()).toEqual(['photo-3.jpg']);
  });
});
