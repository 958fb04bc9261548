import path from 'node:path';
import { makeRoots, put } from './file-roots';
import { makeApp, startServer, type TestServer } from './server';
import { tempDir } from './temp';

/** A sync server on 127.0.0.1 serving file roots made in a temp folder. */
export interface FilesServer {
  /** The temp folder holding the roots (under `data`). */
  readonly dir: string;
  /** The folder of the `uploads` root. */
  readonly uploads: string;
  readonly server: TestServer;
  /** Stops the server and removes the folders. */
  close(): Promise<void>;
}

/**
 * Makes the roots under a temp folder's `data`, puts `seed` (path → content)
 * in `uploads`, and starts a server on them.
 */
export async function startFilesServer(seed: Readonly<Record<string, string>>): Promise<FilesServer> {
  const temp = tempDir();
  const roots = makeRoots(path.join(temp.dir, 'data'));
  const uploads = roots.uploads ?? '';
  for (const [relative, content] of Object.entries(seed)) put(uploads, relative, content);
  const server = await startServer(makeApp({ roots }));
  return {
    dir: temp.dir,
    uploads,
    server,
    async close() {
      await server.close();
      temp.cleanup();
    },
  };
}
