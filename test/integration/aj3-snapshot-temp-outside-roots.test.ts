import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type express from 'express';
import { trackedDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { joinServersPerTest } from '../helpers/join-servers';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * Points the OS temp folder (`TMPDIR`) at `folder`, made inside a sync root, until the test ends.
 * Node's os.tmpdir() reads the real environment, of which jest's `process.env` is a copy: its answer is set instead.
 */
function tmpdirInside(folder: string): string {
  mkdirSync(folder, { recursive: true });
  jest.spyOn(os, 'tmpdir').mockReturnValue(folder);
  return folder;
}

/** The names `prefix…` made in `folder` while the watch lasts (inotify: none is missed, however briefly it lived). */
function watchMade(folder: string, prefix: string): { readonly made: string[]; readonly watcher: FSWatcher } {
  const made: string[] = [];
  const watcher = watch(folder, (_event, name) => {
    if (name?.startsWith(prefix) === true && !made.includes(name)) made.push(name);
  });
  return { made, watcher };
}

/**
 * A `TMPDIR` inside a sync root (a files folder that syncs) put the snapshot's private temp
 * folder there: a copy of every synced row (or one being downloaded) in a folder that syncs.
 * It now goes in the state folder (`stateDir`, kept outside every root); a server without one
 * refuses the snapshot with 507 SNAPSHOT_FAILED naming TMPDIR, the root and the fix.
 */
describe('a TMPDIR inside a sync root', () => {
  afterEach(() => jest.restoreAllMocks());

  describe('a router without a state folder', () => {
    let temp: ReturnType<typeof tempDir>;
    let source: TempDb;
    let server: TestServer;
    let roots: Record<string, string>;
    beforeEach(async () => {
      temp = tempDir('ess-aj3-tmpdir-router-');
      source = trackedDb();
      roots = makeRoots(temp.dir);
      server = await startServer(makeApp({ database: source.db, tables: TABLES, roots }));
    });
    afterEach(async () => {
      await server.close();
      source.cleanup();
      temp.cleanup();
    });

    it('refuses the snapshot with 507 SNAPSHOT_FAILED naming TMPDIR and the root, writing nothing there', async () => {
      const inside = tmpdirInside(path.join(roots.uploads ?? '', 'tmp'));
      const answer = await fetch(`${server.url}/api/sync/data/snapshot`, { headers: AUTH });
      expect(answer.status).toBe(507);
      expect(await answer.json()).toEqual({
        error: { code: 'SNAPSHOT_FAILED', message: expect.stringMatching(/temp folder .* \(TMPDIR\) is inside the sync root "uploads" .*point TMPDIR at a folder outside every sync root/) as unknown },
      });
      expect(readdirSync(inside)).toEqual([]);
    });
  });

  describe('a sync node with a state folder', () => {
    const servers = joinServersPerTest('ess-aj3-tmpdir-node-');

    it('serves the snapshot from a temp folder in its state folder, none in the root', async () => {
      const a = await servers.start('a', { peers: ['http://127.0.0.1:9/api/sync'] });
      addTeams(a.data.db, 20, 'a');
      const inside = tmpdirInside(path.join(a.roots.uploads ?? '', 'tmp'));
      mkdirSync(a.stateDir ?? '', { recursive: true }); // made by the client when it starts; A's is not started
      const inRoot = watchMade(inside, 'ess-snapshot-');
      const inState = watchMade(a.stateDir ?? '', 'ess-snapshot-');
      try {
        const answer = await fetch(`${a.syncUrl}/data/snapshot`, { headers: AUTH });
        expect(answer.status).toBe(200);
        const body = Buffer.from(await answer.arrayBuffer());
        expect(createHash('sha256').update(body).digest('hex')).toBe(answer.headers.get('x-content-sha256'));
        expect(inRoot.made).toEqual([]);
        expect(inState.made).toHaveLength(1);
      } finally {
        inRoot.watcher.close();
        inState.watcher.close();
      }
      expect(readdirSync(inside)).toEqual([]);
    });

    it('downloads a snapshot it joins from into its state folder, none in the root', async () => {
      const holders: (() => void)[] = [];
      servers.beforeClose(() => holders.splice(0).forEach((release) => release()));
      const hold: express.RequestHandler = (_req, _res, next) => holders.push(() => next());
      const a = await servers.start('a', { before: [['/data/snapshot', hold]] });
      addTeams(a.data.db, 300, 'a');
      const c = await servers.start('c', { peers: [a.syncUrl] });
      const client = c.node.client;
      if (client === undefined) throw new Error('C has no sync client');
      const inside = tmpdirInside(path.join(c.roots.uploads ?? '', 'tmp'));
      let ended = false;
      const round = client.syncPeer(a.syncUrl).finally(() => (ended = true));
      while (holders.length === 0 && !ended) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(holders).toHaveLength(1);
      // C asked for the snapshot: its download folder is made, and waits for the answer.
      expect(readdirSync(inside).filter((name) => name.startsWith('ess-join-'))).toEqual([]);
      expect(readdirSync(c.stateDir ?? '').filter((name) => name.startsWith('ess-join-'))).toHaveLength(1);
      holders.splice(0).forEach((release) => release());
      expect(await round).toMatchObject({ ok: true, rowsPulled: 300 });
      expect(readdirSync(c.stateDir ?? '').filter((name) => name.startsWith('ess-join-'))).toEqual([]);
    });
  });
});
