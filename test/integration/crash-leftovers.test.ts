import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import { makeRoots, put, tempFilesUnder } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { DIST, sigkill, startChild, SERVER_CHILD, until, type Child } from '../helpers/crash-children';

/** A sync client in a child process that fetches the peer's files; prints "ready" once started. */
const CLIENT_CHILD = `
const { SyncClient, ManifestCache, createFilePolicy, resolveSyncRoots, silentLogger } = require(${JSON.stringify(DIST)});
const [roots, stateDir, peer] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3]];
const client = new SyncClient({ peers: [peer], token: ${JSON.stringify(TEST_TOKEN)}, stateDir, logger: silentLogger,
  files: { roots: resolveSyncRoots(roots), policy: createFilePolicy(), cache: new ManifestCache() } });
process.stdout.write('ready\\n');
client.syncAll();
`;

/** Starts an upload of `uploads/big.bin` to the child and sends only the first 64 KiB of the file. */
function stalledUpload(port: number): http.ClientRequest {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/sync/files/upload?path=uploads/big.bin',
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': 10 * 1024 * 1024 },
  });
  request.on('error', () => undefined); // the server is killed under it
  request.write('--b\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n');
  request.write(Buffer.alloc(64 * 1024, 7));
  return request;
}

/** A peer whose manifest lists uploads/big.bin and whose download sends 64 KiB of it, then stalls. */
async function stallingPeer(): Promise<TestServer> {
  const app = express();
  app.get('/api/sync/files/checksums', (req, res) => {
    const files = req.query.path === 'uploads' ? [{ path: 'big.bin', size: 1024 * 1024, mtimeMs: 0, sha256: 'b'.repeat(64) }] : [];
    res.json({ root: String(req.query.path), path: '', files });
  });
  app.get('/api/sync/files/download', (_req, res) => {
    res.status(200).type('application/octet-stream').setHeader('Content-Length', String(1024 * 1024));
    res.write(Buffer.alloc(64 * 1024, 9)); // and never the rest
  });
  return startServer(app);
}

describe('a process killed mid-transfer (SIGKILL) leaves no temp file once restarted', () => {
  let temp: ReturnType<typeof tempDir>;
  let children: Child[];
  let servers: TestServer[];
  let requests: http.ClientRequest[];

  beforeEach(() => {
    temp = tempDir();
    children = [];
    servers = [];
    requests = [];
  });
  afterEach(async () => {
    for (const request of requests) request.destroy();
    for (const child of children) await sigkill(child.process);
    for (const server of servers) await server.close();
    temp.cleanup();
  });

  it.each([
    ['a server receiving an upload', 'server'],
    ['a sync client downloading from its peer', 'client'],
  ])('%s', async (_label, role) => {
    const roots = makeRoots(path.join(temp.dir, 'data'));
    const uploads = roots.uploads ?? '';
    put(uploads, 'big.bin', 'the old version');
    let victim: Child;
    if (role === 'server') {
      victim = startChild(SERVER_CHILD, [JSON.stringify(roots)]);
      children.push(victim);
      const port = Number((await victim.ready).split(' ')[1]);
      requests.push(stalledUpload(port));
    } else {
      const peer = await stallingPeer();
      servers.push(peer);
      victim = startChild(CLIENT_CHILD, [JSON.stringify(roots), path.join(temp.dir, 'state'), `${peer.url}/api/sync`]);
      children.push(victim);
      await victim.ready;
    }
    await until(() => tempFilesUnder(uploads).length > 0, 'the transfer to reach the disk');
    await sigkill(victim.process);
    expect(tempFilesUnder(uploads)).toHaveLength(1); // the crash left its fragment

    const restarted = startChild(SERVER_CHILD, [JSON.stringify(roots)]);
    children.push(restarted);
    expect(await restarted.ready).toMatch(/^ready \d+$/);
    expect(tempFilesUnder(temp.dir)).toEqual([]);
    expect(readFileSync(path.join(uploads, 'big.bin'), 'utf8')).toBe('the old version');
  });
});
