import { mkdirSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { dbDigest, TEST_SCHEMA, tempDb } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, cli, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
/** 100 TB: more than any disk of this machine holds. */
const HUGE = 100 * 1024 ** 4;

/**
 * A hostile or broken peer could stream a snapshot until the disk was full (it ended as SNAPSHOT_INCOMPLETE,
 * the disk full meanwhile for the app too). Now the size it announces is checked against the free space of
 * the folder the snapshot goes to (fs.statfs, with a margin) before a byte is written, and again as it
 * comes: too big is 507 SNAPSHOT_NO_SPACE with the fix, and no file is left. More bytes than announced are
 * refused at once (SNAPSHOT_MISMATCH), as before.
 */
describe('a snapshot that would not fit on this disk', () => {
  let temp: ReturnType<typeof tempDir>;
  let real: Peer;
  let hostile: http.Server;
  let streamed = 0;
  let hostileUrl: string;

  beforeAll(async () => {
    temp = tempDir('ess-h2-room-');
    real = await startPeer(temp.dir);
    addTeams(real.data.db, 50, 'a');
    const info = await request(real.server.app).get('/api/sync/data/info').set(AUTH);
    const head = await request(real.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
      res.on('data', () => undefined);
      res.on('end', () => done(null, null));
    });
    hostile = http.createServer((req, res) => {
      if (req.url?.startsWith('/api/sync/data/info') === true) {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(info.body));
        return;
      }
      for (const name of ['content-type', 'x-content-sha256', 'x-sync-site', 'x-sync-seq']) res.setHeader(name, String(head.headers[name]));
      res.setHeader('x-snapshot-bytes', String(HUGE));
      // Streams zeros for as long as the client reads them.
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) streamed += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/api/sync`;
  });

  afterAll(async () => {
    hostile.closeAllConnections();
    await new Promise<void>((resolve) => hostile.close(() => resolve()));
    await real.server.close();
    real.data.cleanup();
    temp.cleanup();
  });

  it('join: refused before a byte is written, with the code and the fix; nothing left in the folder', async () => {
    const dir = path.join(temp.dir, 'join');
    mkdirSync(dir);
    const result = await cli('join', '--from', hostileUrl, '--db', path.join(dir, 'app.db'), '--token', TEST_TOKEN);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the snapshot is \d+ bytes and .* has \d+ bytes free/); // the CLI prints the message of SNAPSHOT_NO_SPACE
    expect(result.stderr).toMatch(/df -h /);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an empty running node: the round fails with SNAPSHOT_NO_SPACE, the database stays as it was', async () => {
    const fresh = tempDb(TEST_SCHEMA);
    const client = new SyncClient({ logger: silentLogger, peers: [hostileUrl], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 1 });
    try {
      const before = dbDigest(fresh.db);
      const result = await client.syncPeer(hostileUrl);
      expect(result).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_NO_SPACE' } });
      expect(result.error?.message).toMatch(/bytes free/);
      expect(dbDigest(fresh.db)).toBe(before);
      expect(streamed).toBeLessThan(64 * 1024 * 1024); // not read on until a disk filled up
    } finally {
      await client.stop();
      fresh.cleanup();
    }
  });
});
