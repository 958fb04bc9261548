import path from 'node:path';
import { createFilePolicy } from '../../lib/files/file-policy';
import { ManifestCache } from '../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../lib/files/sync-roots';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { makeRoots } from '../helpers/file-roots';
import { runCli } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

// Found by helper af4: SYNC_PEERS=http://10.0.0.2 (the port left out) tried port 80, where nothing listens,
// and every round said "… is unreachable (connect ECONNREFUSED 10.0.0.2:80)": the operator went to check
// whether the other laptop was on. The banner showed "http://10.0.0.2/api/sync" with no port either. A
// refused connection to a URL that names no port now says which port was tried and how to give another.
// (Nothing listens on port 80 of 127.0.0.1 where these tests run; the first test checks that.)
describe('af4: a peer URL without a port, refused', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-af4-port-');
  });
  afterEach(() => temp.cleanup());

  const HINT = "no port in its URL, so http's 80 was tried: if the peer listens on another (the sample app's PORT, 5000 by default), add it, as in http://127.0.0.1:5000";

  it('the round names the port tried and the fix', async () => {
    const client = new SyncClient({ logger: silentLogger, peers: ['http://127.0.0.1'], token: TEST_TOKEN, files: { roots: resolveSyncRoots(makeRoots(path.join(temp.dir, 'roots'))), policy: createFilePolicy(), cache: new ManifestCache() }, stateDir: path.join(temp.dir, 'state') });
    try {
      const [result] = await client.syncAll();
      expect(result?.error?.code).toBe('ECONNREFUSED');
      expect(result?.error?.message).toBe(`http://127.0.0.1/api/sync is unreachable (connect ECONNREFUSED 127.0.0.1:80); ${HINT}. It is retried with backoff while periodic syncs run`);
    } finally {
      await client.stop();
    }
  });

  it('the CLI says it too', async () => {
    const result = await runCli(['status', '--url', 'http://127.0.0.1/api/sync', '--token', TEST_TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`connect ECONNREFUSED 127.0.0.1:80: is the server running, and is --url (--from for join) its address? ${HINT.replace(/^no port/, 'No port').replace('the peer', 'the server')}`);
  });

  it('a URL with its port gets no such hint (control)', async () => {
    const result = await runCli(['status', '--url', 'http://127.0.0.1:9/api/sync', '--token', TEST_TOKEN]);
    expect(result.stderr).toContain('ECONNREFUSED 127.0.0.1:9');
    expect(result.stderr).not.toContain('no port');
  });
});
