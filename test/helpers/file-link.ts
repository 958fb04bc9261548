import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import type { LocalFiles } from '../../lib/files/local-files';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import type { PeerFileLink } from '../../lib/peers/file-exchange';
import { FileSyncState } from '../../lib/peers/file-sync-state';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots } from './file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from './server';
import { tempDir } from './temp';

/** Our file roots and a live peer's, with what `syncRoot` takes to sync one of them with it. */
export interface FileLink {
  /** The temp folder holding both sides (`a` here, `b` the peer, `a-state` our sync state). */
  readonly temp: ReturnType<typeof tempDir>;
  /** Our roots: root name → folder. */
  readonly here: Record<string, string>;
  /** The peer's roots. */
  readonly there: Record<string, string>;
  readonly server: TestServer;
  readonly peer: PeerHttp;
  readonly files: LocalFiles;
  readonly link: PeerFileLink;
  /** Closes the peer's connections and server, and removes both sides. */
  close(): Promise<void>;
}

/** Starts a peer serving its roots on 127.0.0.1 and builds our side of a file-sync link to it (state in `a-state/files-b.json`, a fixed clock). */
export async function openFileLink(): Promise<FileLink> {
  const temp = tempDir();
  const here = makeRoots(path.join(temp.dir, 'a'));
  const there = makeRoots(path.join(temp.dir, 'b'));
  const server = await startServer(makeApp({ roots: there }));
  const peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN });
  const files: LocalFiles = { roots: resolveSyncRoots(here), policy: createFilePolicy(), cache: new ManifestCache() };
  const link: PeerFileLink = {
    peer,
    remoteSiteId: 'b0b0b0b0b0b0',
    state: await FileSyncState.load(path.join(temp.dir, 'a-state', 'files-b.json')),
    now: () => new Date(Date.UTC(2026, 10, 26, 10, 0, 0)),
  };
  return {
    temp,
    here,
    there,
    server,
    peer,
    files,
    link,
    async close() {
      peer.close();
      await server.close();
      temp.cleanup();
    },
  };
}
