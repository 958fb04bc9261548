import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uploadFile } from '../../lib/peers/file-transfer';
import { PeerHttp } from '../../lib/peers/peer-http';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('a sync client pushing a file another server brought the peer meanwhile', () => {
  let temp: ReturnType<typeof tempDir>;
  let uploads: string;
  let server: TestServer;
  let peer: PeerHttp;
  beforeEach(async () => {
    temp = tempDir();
    uploads = makeRoots(path.join(temp.dir, 'peer')).uploads ?? '';
    server = await startServer(makeApp({ roots: makeRoots(path.join(temp.dir, 'peer')) }));
    peer = new PeerHttp({ url: `${server.url}/api/sync`, token: TEST_TOKEN });
  });
  afterEach(async () => {
    peer.close();
    await server.close();
    temp.cleanup();
  });

  it('takes the 412 as done when the peer now holds the same bytes', async () => {
    put(uploads, 'same.txt', 'the same bytes'); // pushed by another server just before
    const local = path.join(temp.dir, 'same.txt');
    writeFileSync(local, 'the same bytes');
    await expect(uploadFile(peer, local, 'uploads/same.txt', sha('the same bytes'), undefined)).resolves.toBeUndefined();
  });

  it('still fails with PRECONDITION_FAILED when the peer holds other bytes', async () => {
    put(uploads, 'other.txt', 'someone else’s edit');
    const local = path.join(temp.dir, 'other.txt');
    writeFileSync(local, 'mine');
    await expect(uploadFile(peer, local, 'uploads/other.txt', sha('mine'), undefined)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(readFileSync(path.join(uploads, 'other.txt'), 'utf8')).toBe('someone else’s edit');
  });
});
