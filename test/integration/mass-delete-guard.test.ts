import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DeleteGuard } from '../../lib/peers/delete-guard';
import { resolveSyncClientOptions } from '../../lib/peers/client-options';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { put } from '../helpers/file-roots';
import { captureLog } from '../helpers/log';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');
const run = promisify(execFile);

const pit = (peer: LivePeer): string => path.join(peer.dataDir, 'uploads', 'pit');
const photos = (peer: LivePeer): string[] => readdirSync(pit(peer)).sort();

function removeFirst(peer: LivePeer, count: number): string[] {
  const removed = photos(peer).slice(0, count);
  for (const name of removed) rmSync(path.join(pit(peer), name));
  return removed;
}

describe('the mass-delete guard (maxDeletePercent, default 50)', () => {
  let cluster: Awaited<ReturnType<typeof startPeers>>;
  let log: ReturnType<typeof captureLog>;
  let a: LivePeer;
  let b: LivePeer;

  beforeEach(async () => {
    log = captureLog();
    cluster = await startPeers(2, 'mesh', { loggerFor: (name) => (name === 'server-0' ? log.logger : captureLog('silent').logger) });
    [a, b] = cluster.peers as [LivePeer, LivePeer];
    for (let i = 0; i < 10; i += 1) put(pit(a), `photo-${i}.jpg`, `photo ${i}`);
    expect(await a.sync.syncNow()).toMatchObject([{ ok: true, filesUp: expect.any(Number) }]);
    expect(photos(b)).toHaveLength(10);
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('holds back a sync that would delete 6 of 10 files here, keeps every file, says so, until confirmed with the CLI', async () => {
    removeFirst(b, 6);
    put(pit(b), 'new-on-b.jpg', 'not synced either while held');
    const [held] = await a.sync.syncNow();
    expect(held?.heldDeletions).toEqual([expect.objectContaining({ peer: b.syncUrl, root: 'uploads', side: 'here', count: 6, files: 10, percent: 60, maxDeletePercent: 50 })]);
    expect(photos(a)).toHaveLength(10);
    expect(photos(b)).toEqual(['new-on-b.jpg', 'photo-6.jpg', 'photo-7.jpg', 'photo-8.jpg', 'photo-9.jpg']);

    const status = (await request(a.url).get('/api/sync/status').set(AUTH)).body as { heldDeletions: unknown[]; peers: Array<{ heldDeletions: unknown[] }> };
    expect(status.heldDeletions).toHaveLength(1);
    expect(status.peers[0]?.heldDeletions).toHaveLength(1);
    const metrics = await request(a.url).get('/api/sync/metrics').set(AUTH);
    expect(metrics.text).toMatch(/^express_sqlite_sync_peer_held_deletions\{peer="[^"]+"\} 6$/m);
    expect(log.events('files.deletions_held')).toContainEqual(expect.objectContaining({ root: 'uploads', side: 'here', count: 6, files: 10 }));
    const text = await run(process.execPath, [CLI, 'status', '--url', a.url, '--token', TEST_TOKEN]);
    expect(text.stdout).toContain(`HELD: syncing uploads with ${b.syncUrl} would delete 6 of 10 files on this server`);

    // Still held on the next round, until an operator confirms.
    await a.sync.syncNow();
    expect(photos(a)).toHaveLength(10);
    // The peer as written in SYNC_PEERS may lack its path: http://host:port means its /api/sync.
    const confirm = await run(process.execPath, [CLI, 'confirm-deletions', '--url', a.url, '--token', TEST_TOKEN, '--peer', new URL(b.syncUrl).origin, '--root', 'uploads']);
    expect(confirm.stdout).toContain('confirmed: 6 deletion(s) of 10 file(s) in uploads on this server');
    expect(confirm.stdout).toContain(`✔ synced with ${b.syncUrl}`);
    expect(photos(a)).toEqual(photos(b));
    expect(photos(a)).toHaveLength(5);
    expect(((await request(a.url).get('/api/sync/status').set(AUTH)).body as { heldDeletions: unknown[] }).heldDeletions).toEqual([]);
  });

  it("guards the peer's files too, and a confirmation allows only as many deletions as were shown", async () => {
    removeFirst(a, 6);
    const [held] = await a.sync.syncNow();
    expect(held?.heldDeletions).toEqual([expect.objectContaining({ side: 'there', count: 6, files: 10 })]);
    expect(photos(b)).toHaveLength(10);
    const confirmed = await request(a.url).post('/api/sync/deletions/confirm').set(AUTH).send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ confirmed: [{ side: 'there', count: 6 }], results: [{ ok: true, filesDeleted: 6 }] });
    expect(photos(b)).toHaveLength(4);

    removeFirst(a, 4); // all the rest: 100 %
    await a.sync.syncNow();
    expect(photos(b)).toHaveLength(4);
    const unknownPeer = await request(a.url).post('/api/sync/deletions/confirm').set(AUTH).send({ peer: 'http://nowhere.example/api/sync' }).expect(404);
    // What is held is named, not "nothing is held" (helper w2: a mistyped root or peer sent the operator away while files waited).
    expect(unknownPeer.body).toMatchObject({ error: { code: 'NOTHING_HELD', message: expect.stringMatching(/^no deletions are held back for peer http:\/\/nowhere\.example\/api\/sync; held back now: root "uploads" with peer http/) as unknown } });
    const mistyped = await request(a.url).post('/api/sync/deletions/confirm').set(AUTH).send({ root: 'upload' }).expect(404);
    expect(mistyped.body.error.message).toMatch(/^no deletions are held back for root "upload"; held back now: root "uploads"/);
    expect(photos(b)).toHaveLength(4);
  });

  it.each<[string, unknown, number, string]>([
    ['a JSON null', null, 400, 'BAD_REQUEST'],
    ['a JSON array', ['uploads'], 400, 'BAD_REQUEST'],
    ['a number as the peer', { peer: 5 }, 400, 'BAD_REQUEST'],
    ['a peer that is not a URL', { peer: 'not a url' }, 400, 'BAD_REQUEST'],
    ['a peer over ftp', { peer: 'ftp://10.0.0.2/api/sync' }, 400, 'BAD_REQUEST'],
  ])('answers a confirmation with %s with %s %s and confirms nothing', async (_label, body, status, code) => {
    removeFirst(b, 6);
    await a.sync.syncNow();
    const answer = await request(a.url).post('/api/sync/deletions/confirm').set(AUTH).set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(((await request(a.url).get('/api/sync/status').set(AUTH)).body as { heldDeletions: unknown[] }).heldDeletions).toHaveLength(1);
    expect(photos(a)).toHaveLength(10);
  });

  it.each<[string, string, string, string, number, string]>([
    ['a form body', '', 'application/x-www-form-urlencoded', 'root=uploads', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a text body', '', 'text/plain', '{"root":"uploads"}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['the root in the query', '?root=uploads', 'application/json', '{}', 400, 'BAD_REQUEST'],
    ['a misspelt key', '', 'application/json', '{"Root":"uploads"}', 400, 'BAD_REQUEST'],
    ['an empty root', '', 'application/json', '{"root":""}', 400, 'BAD_REQUEST'],
    ['an empty peer', '', 'application/json', '{"peer":""}', 400, 'BAD_REQUEST'],
    ['a null root', '', 'application/json', '{"root":null}', 400, 'BAD_REQUEST'],
  ])('never confirms everything for a confirmation with %s (%s %s)', async (_label, query, type, body, status, code) => {
    removeFirst(b, 6);
    await a.sync.syncNow();
    const answer = await request(a.url).post(`/api/sync/deletions/confirm${query}`).set(AUTH).set('Content-Type', type).send(body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(((await request(a.url).get('/api/sync/status').set(AUTH)).body as { heldDeletions: unknown[] }).heldDeletions).toHaveLength(1);
    expect(photos(a)).toHaveLength(10);
  });

  it('confirms everything for a request with no body at all', async () => {
    removeFirst(b, 6);
    await a.sync.syncNow();
    const answer = await request(a.url).post('/api/sync/deletions/confirm').set(AUTH);
    expect(answer.status).toBe(200);
    expect(photos(a)).toEqual(photos(b));
  });

  it('lets a sync that deletes half the files or fewer go ahead', async () => {
    removeFirst(b, 5);
    const [result] = await a.sync.syncNow();
    expect(result).toMatchObject({ ok: true, heldDeletions: [], filesDeleted: 5 });
    expect(photos(a)).toEqual(photos(b));
  });
});

describe('DeleteGuard and its option', () => {
  it.each([
    [0, 1, 10, true],
    [50, 5, 10, false],
    [50, 6, 10, true],
    [100, 10, 10, false],
    [50, 1, 1, true],
  ])('maxDeletePercent %i: deleting %i of %i held: %s', (max, count, files, held) => {
    const guard = new DeleteGuard(max);
    const here = Array.from({ length: count }, (_, i) => `f${i}`);
    expect(guard.check('p', 'r', { here, there: [], localFiles: files, remoteFiles: files }).length > 0).toBe(held);
  });

  it.each([[-1], [101], [1.5]])('refuses maxDeletePercent %p', (value) => {
    const files = { roots: new Map(), policy: createFilePolicy(), cache: new ManifestCache() };
    expect(() => resolveSyncClientOptions({ peers: [], files, maxDeletePercent: value })).toThrow(RangeError);
  });
});
