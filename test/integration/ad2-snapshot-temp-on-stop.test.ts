import { mkdirSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../helpers/nats-server';
import { spawnSampleApp } from '../helpers/k3-sample-app-process';
import { APP_PROCESS_TIMEOUT_MS, killAppProcesses } from '../helpers/k2-app-process';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** True once the app answers on `port`; false when it exited first or did not answer in time. */
async function answers(port: number, exited: () => boolean): Promise<boolean> {
  const until = Date.now() + APP_PROCESS_TIMEOUT_MS / 2;
  while (Date.now() < until && !exited()) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** The snapshot folders (`ess-snapshot-<pid>-…`) in `tmp`. */
function snapshotFolders(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('ess-snapshot-'));
}

/**
 * A server stopped (Ctrl-C, SIGTERM: `systemctl stop`, a laptop shut down)
 * while a new server downloads its snapshot kept that snapshot, a copy of
 * every synced row, in its temp folder: the stop closed the connections and
 * exited before the answer's close released it, and only a later snapshot of
 * some server on the machine swept it. A stopped process now leaves none.
 */
describe('a snapshot being downloaded when its server stops', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-ad2-snapshot-stop-');
  });
  afterEach(async () => {
    await killAppProcesses();
    temp.cleanup();
  });

  it('is removed from the temp folder when the app exits', async () => {
    const port = await freePort();
    const dataDir = path.join(temp.dir, 'data');
    const tmp = path.join(temp.dir, 'tmp'); // this app's TMPDIR: only its own folders are looked at
    mkdirSync(tmp);
    const child = spawnSampleApp({ PORT: String(port), DATA_DIR: dataDir, SYNC_TOKEN: TEST_TOKEN, TMPDIR: tmp }, { stderr: 'inherit' });
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    expect(await answers(port, () => child.exitCode !== null)).toBe(true);

    // 20 MB of synced rows, written as the app's own writes are (its triggers capture them): more than loopback buffers hold.
    const db = new Database(path.join(dataDir, 'instance', 'app.db'));
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare("INSERT INTO app_events (id, at, kind, detail) VALUES (?, datetime('now'), 'note', ?)");
    db.transaction(() => {
      for (let i = 0; i < 20_000; i += 1) insert.run(`ad2-${i}`, `${i} ${'x'.repeat(1000)}`);
    })();
    db.close();

    // A joiner that takes the first bytes and then waits (a slow Wi-Fi link).
    const request = http.get({ host: '127.0.0.1', port, path: '/api/sync/data/snapshot', headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    request.on('error', () => undefined); // cut by the stop
    const status = await new Promise<number | undefined>((resolve) => {
      request.once('response', (res) => {
        res.once('data', () => {
          res.pause();
          resolve(res.statusCode);
        });
      });
    });
    expect(status).toBe(200);
    expect(snapshotFolders(tmp)).toHaveLength(1); // being sent

    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    request.destroy();
    expect(snapshotFolders(tmp)).toEqual([]);
  }, APP_PROCESS_TIMEOUT_MS);
});
