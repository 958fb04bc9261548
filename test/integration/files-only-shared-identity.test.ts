import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const NAMES = ['A', 'A2', 'C'] as const;
type Name = (typeof NAMES)[number];

/**
 * Two servers without data that answer one file-sync identity: A2 holds a copy of A's state folder its start
 * could not tell apart (a block-level copy, a VM image cloned; a platform without birth times; a folder copied
 * before its birth time was kept). A third server C lists both. A's round with C tells C what it settled under
 * that identity, and C records it in the base it keeps for every URL known as it: A2's too. C's base with A2
 * then names a file A2 never had, and C's next round with A2 took it for one A2 deleted: it deleted it on C
 * (and from there everywhere). Before the identity, C kept A2's base by its host and no settlement came under
 * it. The data side stops such a pair with DUPLICATE_SITE_ID (two URLs, one site id, two instances): so must
 * the file side, before anything moves.
 */
describe('two servers without data that answer one file-sync identity, listed by a third', () => {
  let temp: ReturnType<typeof tempDir>;
  let servers: Record<Name, TestServer>;
  const nodes = {} as Record<Name, SyncNode>;
  let folders: Record<Name, string>;
  let urls: Record<Name, string>;

  beforeEach(() => setUp());
  async function setUp(): Promise<void> {
    temp = tempDir('ess-files-shared-identity-');
    folders = { A: path.join(temp.dir, 'A-files'), A2: path.join(temp.dir, 'A2-files'), C: path.join(temp.dir, 'C-files') };
    for (const name of NAMES) mkdirSync(folders[name]);
    const apps = { A: express(), A2: express(), C: express() };
    for (const name of NAMES) apps[name].use('/api/sync', ((req, res, next) => nodes[name].router(req, res, next)) satisfies RequestHandler);
    servers = { A: await startServer(apps.A), A2: await startServer(apps.A2), C: await startServer(apps.C) };
    urls = { A: `${servers.A.url}/api/sync`, A2: `${servers.A2.url}/api/sync`, C: `${servers.C.url}/api/sync` };
    const peersOf: Record<Name, string[]> = { A: [urls.C], A2: [urls.C], C: [urls.A, urls.A2] };
    const state = (name: Name): string => path.join(temp.dir, `${name}-state`);
    nodes.A = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders.A }, peers: peersOf.A, stateDir: state('A') });
    // The copy: A's identity, with no folder birth time to tell it apart.
    const { site } = JSON.parse(readFileSync(path.join(state('A'), 'files-site.json'), 'utf8')) as { site: string };
    mkdirSync(state('A2'));
    writeFileSync(path.join(state('A2'), 'files-site.json'), JSON.stringify({ version: 1, site }));
    for (const name of ['A2', 'C'] as const) nodes[name] = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders[name] }, peers: peersOf[name], stateDir: state(name) });
    expect(nodes.A2.client?.filesSite).toBe(site);
  }
  afterEach(async () => {
    for (const name of NAMES) await nodes[name].stop();
    for (const name of NAMES) await servers[name].close();
    temp.cleanup();
  });

  /** C's rounds, one peer at a time, in this order. */
  async function syncC(first: 'A' | 'A2'): Promise<PeerSyncResult[]> {
    const client = nodes.C.client as SyncClient;
    const order = first === 'A' ? [urls.A, urls.A2] : [urls.A2, urls.A];
    const results: PeerSyncResult[] = [];
    for (const url of order) results.push(await client.syncPeer(url));
    return results;
  }

  it.each(['A', 'A2'] as const)("a file one of them settled with the third is never deleted there for the other's lack of it (C's rounds with %s first)", async (first) => {
    // Files all three hold alike (so one deletion is under maxDeletePercent); C learns both URLs' identity.
    for (const name of NAMES) for (const team of [1, 2, 3]) writeFileSync(path.join(folders[name], `team-${team}.json`), `{"team":${team}}`);
    await syncC(first);
    writeFileSync(path.join(folders.A, 'photo.json'), '{"team":254}');
    const [fromA] = await nodes.A.syncNow(); // uploads photo.json to C, tells C what it settled
    expect(fromA).toMatchObject({ ok: true, filesUp: 1 });
    expect(existsSync(path.join(folders.C, 'photo.json'))).toBe(true);
    const results = await syncC(first);
    expect(existsSync(path.join(folders.C, 'photo.json'))).toBe(true);
    expect(existsSync(path.join(folders.A, 'photo.json'))).toBe(true);
    // The base kept with either URL may hold the other's settlements: both are dropped.
    const bases = readdirSync(path.join(temp.dir, 'C-state')).filter((file) => /^files-[0-9a-f]{16}\.json$/.test(file));
    expect(bases).toEqual([]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'DUPLICATE_SITE_ID', message: expect.stringMatching(/delete files-site.json in its stateDir/) as unknown }, filesDeleted: 0, heldDeletions: [] });
  });

  it('one server listed under two URLs (one instance) is no duplicate', async () => {
    await nodes.C.stop();
    const twice = [urls.A, urls.A.replace('127.0.0.1', 'localhost')];
    nodes.C = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders.C }, peers: twice, stateDir: path.join(temp.dir, 'C2-state') });
    writeFileSync(path.join(folders.A, 'photo.json'), '{"team":254}');
    const results = await nodes.C.syncNow();
    expect(results).toMatchObject([{ ok: true }, { ok: true }]);
    expect(existsSync(path.join(folders.C, 'photo.json'))).toBe(true);
  });
});
