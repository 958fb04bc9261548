import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import type { SyncNode } from '../../node/create-sync-node';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * A server that syncs files only (no `database`, so no data handshake) given a peer URL that is
 * not the peer's sync API (its status page copied from the start banner, `…/api/sync/ui`; an app
 * whose own 404 is JSON in the same shape): every `GET files/checksums` answers 404 `NOT_FOUND`.
 * That must fail the round, saying what to check, not count as "the peer has none of these
 * roots": the round was `ok`, nothing synced, round after round, and the status page said OK.
 */
describe('files-only sync with a URL that is not the peer\'s sync API', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: TestServer;
  let other: TestServer;
  let node: SyncNode | undefined;
  let here: string;
  let there: string;
  beforeEach(async () => {
    temp = tempDir('ess-h3-files-only-');
    here = path.join(temp.dir, 'here');
    there = path.join(temp.dir, 'there');
    mkdirSync(here);
    mkdirSync(there);
    writeFileSync(path.join(here, 'event.json'), '{"event":"2026wasno"}');
    peer = await startServer(makeApp({ roots: { uploads: there } }));
    // An app that answers its own 404s as JSON errors of the same shape.
    other = await startServer(express().use((_req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such page' } })) as express.Express);
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    await peer.close();
    await other.close();
    temp.cleanup();
  });

  const filesNode = (url: string, roots: Record<string, string>): SyncNode =>
    createSyncNode({ token: TEST_TOKEN, roots, stateDir: path.join(temp.dir, 'state'), peers: [url], logger: silentLogger });

  // The status page's URL and `/status` are refused when the peers are read (test/unit/peers/ag2-peer-url-status-page.test.ts).
  it.each([
    ['an app with JSON 404s', (): string => `${other.url}/api/sync`],
    ['an app page', (): string => `${peer.url}/reports`],
  ])('%s: the round fails (404) asking whether the URL is the sync API; nothing is written there', async (_what, url) => {
    node = filesNode(url(), { uploads: here });
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(NOT_FOUND|PEER_ERROR)$/) as unknown } });
    expect(result?.error?.message).toContain(`Is ${url()} the peer's sync API? Its URL is usually http://host:port/api/sync`);
    expect(readdirSync(there)).toEqual([]);
  });

  it('a peer without one of the roots is still passed over for that root, and the others sync', async () => {
    const config = path.join(temp.dir, 'config');
    mkdirSync(config);
    node = filesNode(`${peer.url}/api/sync`, { uploads: here, config });
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: true, filesUp: 1 });
    expect(readdirSync(there)).toEqual(['event.json']);
  });
});
