import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const NAMES = ['A', 'B'] as const;
type Name = (typeof NAMES)[number];

/**
 * Two servers that sync files only (no `database`) and list each other. Each keeps a base per
 * peer; without a site id neither could tell the other what its round settled (`POST
 * /files/settled`), so the base of the side that did not run a round stayed behind: a file
 * deleted on one came back from the other, an edit became a conflict copy. Each now keeps an
 * identity in its `stateDir` (`files-site.json`), learns the other's from `GET /files/info`, and
 * the settlements go both ways.
 */
describe('two files-only servers that list each other', () => {
  let temp: ReturnType<typeof tempDir>;
  let servers: Record<Name, TestServer>;
  let nodes: Record<Name, SyncNode>;
  let folders: Record<Name, string>;
  let states: Record<Name, string>;
  let urls: Record<Name, string>;

  /** A node for `name`, serving under its server's /api/sync (a restarted node takes the place of the one before). */
  function startNode(name: Name): SyncNode {
    const other: Name = name === 'A' ? 'B' : 'A';
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: folders[name] }, peers: [urls[other]], stateDir: states[name] });
    nodes[name] = node;
    return node;
  }

  beforeEach(async () => {
    temp = tempDir('ess-files-only-mutual-');
    const place = (suffix: string): Record<Name, string> => ({ A: path.join(temp.dir, `A-${suffix}`), B: path.join(temp.dir, `B-${suffix}`) });
    folders = place('files');
    states = place('state');
    for (const name of NAMES) mkdirSync(folders[name]);
    const apps = { A: express(), B: express() };
    // The router of the node running now: a node started again takes the same URL.
    for (const name of NAMES) apps[name].use('/api/sync', ((req, res, next) => nodes[name].router(req, res, next)) satisfies RequestHandler);
    servers = { A: await startServer(apps.A), B: await startServer(apps.B) };
    urls = { A: `${servers.A.url}/api/sync`, B: `${servers.B.url}/api/sync` };
    nodes = {} as Record<Name, SyncNode>;
    for (const name of NAMES) startNode(name);
  });
  afterEach(async () => {
    for (const name of NAMES) await nodes[name].stop();
    for (const name of NAMES) await servers[name].close();
    temp.cleanup();
  });

  const sync = async (name: Name): Promise<void> => {
    const [result] = await nodes[name].syncNow();
    expect(result).toMatchObject({ ok: true });
  };
  const listed = (name: Name): string[] => readdirSync(folders[name]).sort();
  const other = (name: Name): Name => (name === 'A' ? 'B' : 'A');

  /** Four files written on `name` and sent over by its round only: the other side's own rounds never moved them. */
  async function fourFilesFrom(name: Name): Promise<void> {
    await sync('A');
    await sync('B');
    for (const file of ['a', 'b', 'c', 'z']) writeFileSync(path.join(folders[name], `${file}.json`), `{"${file}":1}`);
    await sync(name);
    expect(listed(other(name))).toEqual(['a.json', 'b.json', 'c.json', 'z.json']);
  }

  it.each([
    ['A', 'A'],
    ['A', 'B'],
    ['B', 'B'],
    ['B', 'A'],
  ] as const)('a file sent over by %s\'s round and deleted on %s stays deleted on both, whichever round comes first', async (sender, deleter) => {
    await fourFilesFrom(sender);
    rmSync(path.join(folders[deleter], 'z.json'));
    // The side whose own rounds never moved the file first: its base must know it from the sender's settlement.
    await sync(other(sender));
    await sync(sender);
    await sync(other(sender));
    const kept = ['a.json', 'b.json', 'c.json'];
    expect([listed('A'), listed('B')]).toEqual([kept, kept]);
  });

  it.each([
    ['A', 'A'],
    ['A', 'B'],
    ['B', 'B'],
    ['B', 'A'],
  ] as const)('a file sent over by %s\'s round and edited on %s is sent on by either side\'s round, with no conflict copy', async (sender, editor) => {
    await fourFilesFrom(sender);
    writeFileSync(path.join(folders[editor], 'z.json'), '{"z":2}');
    await sync(other(sender));
    await sync(sender);
    const names = ['a.json', 'b.json', 'c.json', 'z.json'];
    expect([listed('A'), listed('B')]).toEqual([names, names]);
    for (const name of NAMES) expect(readFileSync(path.join(folders[name], 'z.json'), 'utf8')).toBe('{"z":2}');
  });

  it('each keeps its identity in its state folder, and each base names the other one', async () => {
    await fourFilesFrom('A');
    await sync('B');
    const identity = (name: Name): string => (JSON.parse(readFileSync(path.join(states[name], 'files-site.json'), 'utf8')) as { site: string }).site;
    expect(identity('A')).toMatch(/^[0-9a-f]{32}$/);
    expect(identity('B')).toMatch(/^[0-9a-f]{32}$/);
    expect(identity('A')).not.toBe(identity('B'));
    for (const name of NAMES) {
      const bases = readdirSync(states[name]).filter((file) => /^files-[0-9a-f]{16}\.json$/.test(file));
      expect(bases).toHaveLength(1);
      const base = JSON.parse(readFileSync(path.join(states[name], bases[0] ?? ''), 'utf8')) as { site: string; local: string };
      expect(base).toMatchObject({ site: identity(other(name)), local: identity(name) });
    }
    // Learnt as a handshake's site would be, and shown on /status.
    const status = (await (await fetch(`${servers.A.url}/api/sync/status`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } })).json()) as { peers: Array<{ siteId: string | null }> };
    expect(status.peers[0]?.siteId).toBe(identity('B'));
  });

  it('a server whose state folder was wiped is a new server: its peer\'s next round is a first sync, nothing deleted', async () => {
    await fourFilesFrom('A');
    await sync('B');
    const identity = (): string | undefined => (existsSync(path.join(states.B, 'files-site.json')) ? readFileSync(path.join(states.B, 'files-site.json'), 'utf8') : undefined);
    const before = identity();
    // B is set up again: its state folder wiped, its folder holding other files than the ones A's base names.
    await nodes.B.stop();
    rmSync(states.B, { recursive: true });
    rmSync(path.join(folders.B, 'z.json'));
    startNode('B');
    await sync('A');
    // A's base named z.json as held by both: kept with B's old identity, it would have deleted z.json on A.
    const names = ['a.json', 'b.json', 'c.json', 'z.json'];
    expect([listed('A'), listed('B')]).toEqual([names, names]);
    expect(identity()).toMatch(/"site":"[0-9a-f]{32}"/);
    expect(identity()).not.toBe(before);
  });

  it('a copy of a server\'s data folder (its state folder with it) takes a new identity: a file the copy missed is not deleted on the peer', async () => {
    await fourFilesFrom('A');
    await sync('B');
    const identity = (): string => (JSON.parse(readFileSync(path.join(states.A, 'files-site.json'), 'utf8')) as { site: string }).site;
    const original = identity();
    // A's data folder copied to another laptop that takes A's address; the copy missed z.json.
    await nodes.A.stop();
    const copy = { files: path.join(temp.dir, 'A2-files'), state: path.join(temp.dir, 'A2-state') };
    cpSync(folders.A, copy.files, { recursive: true });
    cpSync(states.A, copy.state, { recursive: true });
    rmSync(path.join(copy.files, 'z.json'));
    [folders.A, states.A] = [copy.files, copy.state];
    startNode('A');
    expect(identity()).not.toBe(original);
    // With A's bases (kept under A's identity, naming z.json as held by both) the copy would have deleted z.json on B.
    await sync('A');
    await sync('B');
    const names = ['a.json', 'b.json', 'c.json', 'z.json'];
    expect([listed('A'), listed('B')]).toEqual([names, names]);
  });
});
