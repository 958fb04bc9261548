import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { runCli } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A peer that answers `Content-Type: application/json` with a body that is not JSON
 * (cut short on the way, another program at that address): /status, the page, the
 * log and the CLI said "answered GET data/info with 200 and no JSON: Content-Type
 * \"application/json\"", which reads as a contradiction. They now say the body does not
 * parse although its Content-Type says JSON, and what that may be.
 */
describe('an answer labelled JSON whose body does not parse', () => {
  let server: http.Server;
  let url: string;
  let temp: ReturnType<typeof tempDir>;
  let node: SyncNode;
  beforeEach(async () => {
    temp = tempDir();
    server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"site": "0123'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    node = createSyncNode({ token: TEST_TOKEN, peers: [url], roots: { uploads: mkdirSync(path.join(temp.dir, 'uploads'), { recursive: true }) ?? '' }, stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
  });
  afterEach(async () => {
    await node.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  });

  it('is PEER_BAD_ANSWER saying the body does not parse, on /status and in the CLI', async () => {
    const [result] = await node.syncNow();
    expect(result?.error?.code).toBe('PEER_BAD_ANSWER');
    expect(result?.error?.message).toMatch(/its body does not parse as JSON although its Content-Type says "application\/json"/);
    expect(node.client?.peerStatuses()[0]?.lastError).toContain('does not parse as JSON');
    const cli = await runCli(['status', '--url', url, '--json'], { SYNC_TOKEN: TEST_TOKEN });
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ error: { code: 'PEER_BAD_ANSWER', message: expect.stringMatching(/does not parse as JSON although/) } });
  });
});
