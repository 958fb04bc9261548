import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * `POST /deletions/confirm` parses its body with `strict: false`, so a JSON string (`"x"`) came out of
 * the router's own parser as a string; the check for an app parser in front ran after it, took that
 * string for `express.text()`'s work and answered 500 BODY_ALREADY_READ ("mount the sync router before
 * app.use(express.json()…)"): a client's malformed body reported as the app's setup error. It is 400
 * BAD_REQUEST, as `5`, `null` or `[]` are.
 */
describe('POST /deletions/confirm with a JSON scalar body', () => {
  let temp: ReturnType<typeof tempDir>;
  let node: SyncNode;
  let server: TestServer;
  beforeAll(async () => {
    temp = tempDir('ess-z1-confirm-scalar-');
    mkdirSync(path.join(temp.dir, 'uploads'));
    node = createSyncNode({ token: TEST_TOKEN, roots: { uploads: path.join(temp.dir, 'uploads') }, stateDir: path.join(temp.dir, 'state'), peers: ['http://127.0.0.1:9/api/sync'], logger: silentLogger });
    server = await startServer(express().use('/api/sync', node.router) as express.Express);
  });
  afterAll(async () => {
    await server.close();
    await node.stop();
    temp.cleanup();
  });

  it.each(['"x"', '""', '"{\\"peer\\":\\"http://a\\"}"', '5', 'null', '[]'])('%s is 400 BAD_REQUEST, never a 500', async (body) => {
    const res = await fetch(`${server.url}/api/sync/deletions/confirm`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
  });

  // A value over 4096 characters was refused as "`peer` must be a non-empty string", which it is.
  it.each(['peer', 'root'])('a %s over 4096 characters is 400 BAD_REQUEST saying its length', async (name) => {
    const value = name === 'peer' ? `http://${'a'.repeat(5000)}` : 'r'.repeat(5000);
    const res = await fetch(`${server.url}/api/sync/deletions/confirm`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ [name]: value }) });
    expect([res.status, ((await res.json()) as { error: { message: string } }).error.message]).toEqual([400, `\`${name}\` is ${value.length} characters long; at most 4096 are taken`]);
  });
});
