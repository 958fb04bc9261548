import { mkdirSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, cli, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const KEPT_HEADERS = ['content-type', 'x-content-sha256', 'x-sync-site', 'x-sync-seq', 'x-snapshot-bytes'];

/** A peer answering /data/info as `real` does, and its snapshot (its headers kept) as `damage` changes the bytes sent. */
async function damagingPeer(real: Peer, damage: (snapshot: Buffer) => { readonly body: Buffer; readonly coding?: string }): Promise<{ url: string; close(): Promise<void> }> {
  const snapshot = await request(real.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const info = await request(real.server.app).get('/api/sync/data/info').set(AUTH);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/sync/data/info') === true) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(info.body));
      return;
    }
    for (const name of KEPT_HEADERS) res.setHeader(name, String(snapshot.headers[name]));
    const { body, coding } = damage(snapshot.body as Buffer);
    if (coding !== undefined) res.setHeader('Content-Encoding', coding);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `bytes` with one byte changed half-way, as a proxy or a failing link might. */
function oneByteChanged(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = (copy[at] ?? 0) ^ 0x55;
  return copy;
}

/**
 * A snapshot whose bytes were changed on the way (one byte, half-way). Sent gzip-compressed
 * (`join --gzip`), it failed as "the snapshot download broke off after N bytes: incorrect data
 * check" (SNAPSHOT_INCOMPLETE), as if the link had dropped; sent as it is, "the snapshot's
 * SHA-256 is …, its sender announced …", with nothing to do about it. Both are now
 * SNAPSHOT_HASH_MISMATCH saying the bytes were changed on the way and what to do, and nothing
 * is kept.
 */
describe('join from a peer whose snapshot is damaged on the way', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    temp = tempDir('ess-ah4-damaged-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 300, 'a');
  });
  afterAll(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it.each([
    ['gzip-compressed (join --gzip)', ['--gzip'], (snapshot: Buffer) => ({ body: oneByteChanged(zlib.gzipSync(snapshot)), coding: 'gzip' })],
    ['as it is', [], (snapshot: Buffer) => ({ body: oneByteChanged(snapshot) })],
  ])('%s: SNAPSHOT_HASH_MISMATCH naming the cause and the fix, and nothing kept', async (_how, flags, damage) => {
    const damaging = await damagingPeer(peer, damage);
    const dir = path.join(temp.dir, `case-${flags.length}`);
    mkdirSync(dir);
    try {
      const joined = await cli('join', ...flags, '--json', '--from', damaging.url, '--db', path.join(dir, 'app.db'), '--token', TEST_TOKEN);
      expect(joined.code).toBe(1);
      const failure = (JSON.parse(joined.stdout) as { error: { code: string; message: string } }).error;
      expect(failure.code).toBe('SNAPSHOT_HASH_MISMATCH');
      expect(failure.message).not.toMatch(/broke off/);
      expect(failure.message).toMatch(/changed on the way/);
      expect(failure.message).toMatch(/nothing was kept\. Join again \(a running server pulls from that peer page by page instead\); if it happens again, something between the two servers changes bytes/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await damaging.close();
    }
  });

  /**
   * A snapshot cut short though its HTTP answer came whole (a proxy with a size limit): "the
   * snapshot ended after N of M bytes", or with --gzip "the snapshot download broke off after
   * N bytes: unexpected end of file", neither saying what to do. Both now say it was cut short
   * on the way, and the fix.
   */
  it.each([
    ['gzip-compressed (join --gzip)', ['--gzip'], (snapshot: Buffer) => {
      const gzipped = zlib.gzipSync(snapshot);
      return { body: gzipped.subarray(0, gzipped.length - 100), coding: 'gzip' };
    }],
    ['as it is', [], (snapshot: Buffer) => ({ body: snapshot.subarray(0, snapshot.length - 4096) })],
  ])('cut short, %s: SNAPSHOT_INCOMPLETE naming the cause and the fix, and nothing kept', async (_how, flags, damage) => {
    const damaging = await damagingPeer(peer, damage);
    const dir = path.join(temp.dir, `short-${flags.length}`);
    mkdirSync(dir);
    try {
      const joined = await cli('join', ...flags, '--json', '--from', damaging.url, '--db', path.join(dir, 'app.db'), '--token', TEST_TOKEN);
      expect(joined.code).toBe(1);
      const failure = (JSON.parse(joined.stdout) as { error: { code: string; message: string } }).error;
      expect(failure.code).toBe('SNAPSHOT_INCOMPLETE');
      expect(failure.message).not.toMatch(/broke off/);
      expect(failure.message).toMatch(/cut short on the way; nothing was kept\. Join again .*something between the two servers cuts answers short/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await damaging.close();
    }
  });
});
