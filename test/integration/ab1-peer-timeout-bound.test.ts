import path from 'node:path';
import { existsSync } from 'node:fs';
import { createSyncNode, joinFromPeer, type SyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { tempDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { startSlowLink, type SlowLink } from '../helpers/h6-slow-link';
import { tempDir } from '../helpers/temp';

// `peerTimeoutMs` above Node's longest timer (2^31 − 1 ms) was taken, and Node runs
// such a timer after 1 ms: the check of a peer's answer then ran every millisecond and
// cut any answer arriving in pieces under 1 KiB (every answer of a slow Wi-Fi link) as a
// link that drips, so every round failed with PEER_TIMEOUT ("too little data for
// 2147483648 ms"). The bound is refused now, as the CLI's --timeout, backoff.maxMs and
// the NATS timers refuse it.
const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)';
const LONGEST_TIMER_MS = 2 ** 31 - 1;

describe('peerTimeoutMs is at most Node’s longest timer', () => {
  let source: TempDb;
  let here: TempDb;
  let server: TestServer;
  let link: SlowLink;
  let node: SyncNode | undefined;
  let temp: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    temp = tempDir('ess-ab1-timeout-');
    source = tempDb(SCHEMA);
    here = tempDb(SCHEMA);
    const insert = source.db.prepare('INSERT INTO notes VALUES (?, ?)');
    source.db.transaction(() => {
      for (let i = 0; i < 200; i += 1) insert.run(`note-${i}`, 'x'.repeat(100));
    })();
    server = await startServer(makeApp({ database: source.db, tables: ['notes'] }));
    link = await startSlowLink(server.port, 512, 2); // 256 KB/s: answers come in pieces under 1 KiB
  });
  afterEach(async () => {
    await node?.stop(0);
    node = undefined;
    await link.close();
    await server.close();
    source.cleanup();
    here.cleanup();
    temp.cleanup();
  });

  const nodeWith = (peerTimeoutMs: number): SyncNode =>
    createSyncNode({ token: TEST_TOKEN, database: here.db, tables: ['notes'], peers: [`${link.url}/api/sync`], peerTimeoutMs, peerCompression: 'identity', logger: silentLogger });

  it.each([2 ** 31, Number.MAX_SAFE_INTEGER])('refuses %d when the node is built, naming the option and the bound', (ms) => {
    expect(() => nodeWith(ms)).toThrow(RangeError);
    expect(() => nodeWith(ms)).toThrow(/`peerTimeoutMs` must be at most 2147483647/);
  });

  it('refuses it in joinFromPeer before anything is made', async () => {
    const db = path.join(temp.dir, 'new', 'app.db');
    await expect(joinFromPeer({ url: `${server.url}/api/sync`, token: TEST_TOKEN, db, peerTimeoutMs: 2 ** 31 })).rejects.toThrow(/`peerTimeoutMs` must be at most 2147483647/);
    expect(existsSync(path.dirname(db))).toBe(false);
  });

  it('takes the longest timer itself, and a slow link then carries every row', async () => {
    node = nodeWith(LONGEST_TIMER_MS);
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPulled: 200 });
    expect(here.db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 200 });
  });
});
