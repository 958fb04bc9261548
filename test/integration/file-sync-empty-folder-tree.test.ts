import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import type { LocalFiles } from '../../lib/files/local-files';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { syncRoot, type PeerFileLink } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/** A peer's file arrives where a folder of its name stands here: a tree of only empty folders gives way, anything else in it is a conflict. */
describe('a folder of empty folders in the way of a peer file', () => {
  let temp: ReturnType<typeof tempDir>;
  let here: string;
  let there: string;
  let server: TestServer;
  let peer: PeerHttp;
  let files: LocalFiles;
  let link: PeerFileLink;

  beforeEach(async () => {
    temp = tempDir();
    const hereRoots = makeRoots(path.join(temp.dir, 'a'));
    const thereRoots = makeRoots(path.join(temp.dir, 'b'));
    here = hereRoots.uploads ?? '';
    there = thereRoots.uploads ?? '';
    server = await startServer(makeApp({ roots: thereRoots }));
    peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN });
    files = { roots: resolveSyncRoots(hereRoots), policy: createFilePolicy(), cache: new ManifestCache() };
    link = {
      peer,
      remoteSiteId: 'b0b0b0b0b0b0',
      state: await FileSyncState.load(path.join(temp.dir, 'a-state', 'files-b.json')),
      now: () => new Date(Date.UTC(2026, 10, 26, 10, 0, 0)),
    };
  });

  afterEach(async () => {
    peer.close();
    await server.close();
    temp.cleanup();
  });

  it('removes a tree that holds only empty folders and fetches the file in its place', async () => {
    mkdirSync(path.join(here, 'ef/sub/deeper'), { recursive: true });
    mkdirSync(path.join(here, 'ef/other'));
    put(there, 'ef', 'a file on b');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([]);
    expect(readFileSync(path.join(here, 'ef'), 'utf8')).toBe('a file on b');
    expect((await syncRoot(files, link, 'uploads')).errors).toEqual([]);
  });

  it('keeps the tree and reports PATH_CONFLICT when a symlink is inside (never followed, never removed)', async () => {
    mkdirSync(path.join(here, 'kept'));
    mkdirSync(path.join(here, 'ef/sub'), { recursive: true });
    symlinkSync('../../kept', path.join(here, 'ef/sub/link'));
    put(there, 'ef', 'a file on b');

    const round = await syncRoot(files, link, 'uploads');
    expect(round.errors).toEqual([expect.objectContaining({ code: 'PATH_CONFLICT' })]);
    expect(lstatSync(path.join(here, 'ef/sub/link')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(here, 'kept'))).toBe(true);
  });
});
