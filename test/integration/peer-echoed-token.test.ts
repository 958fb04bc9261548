import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { hideSecrets } from '../../lib/peers/peer-answer';
import { createSyncNode } from '../../node/create-sync-node';
import { captureLog } from '../helpers/log';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** The token sent (with characters that percent-encoding changes) and a second one this side accepts. */
const SENT = 'sent/token+with=0123456789abcdef';
const ACCEPTED = 'accepted-token-fedcba9876543210';

/** Every form of a token that must never be shown. */
function forms(token: string): string[] {
  const bytes = Buffer.from(token);
  return [token, bytes.toString('base64'), bytes.toString('base64url'), encodeURIComponent(token)];
}

function expectNoToken(text: string, tokens: readonly string[] = [SENT, ACCEPTED]): void {
  for (const token of tokens) for (const form of forms(token)) expect(text).not.toContain(form);
}

/** A peer in front of which a proxy refuses every request, repeating the Authorization header it received (as sent, base64, percent-encoded) and the other token. */
async function echoingPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^Bearer /, '');
    const message = `proxy refused header Authorization: ${header}; as base64 ${Buffer.from(token).toString('base64')}; in a query ?t=${encodeURIComponent(token)}; expected ${ACCEPTED}`;
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'BAD_REQUEST', message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/sync`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the built command-line tool; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, SYNC_TOKEN: '', SYNC_PEER_CA: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('a peer that echoes our token back: the token never reaches the log, /status or a terminal', () => {
  let peer: Awaited<ReturnType<typeof echoingPeer>>;
  beforeAll(async () => {
    peer = await echoingPeer();
  });
  afterAll(async () => {
    await peer.close();
  });

  it('hideSecrets hides a token as sent, in base64 and percent-encoded, and leaves other text', () => {
    const text = `a ${SENT} b ${Buffer.from(SENT).toString('base64')} c ${encodeURIComponent(SENT).toLowerCase()} d`;
    expect(hideSecrets(text, [SENT])).toBe('a *** b *** c *** d');
    expect(hideSecrets('nothing to hide', [SENT, ''])).toBe('nothing to hide');
  });

  it('a sync node: the sync.failed line and /status peers[].lastError say *** instead', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
    const log = captureLog();
    const node = createSyncNode({ token: [SENT, ACCEPTED], logger: log.logger, database: db, tables: ['notes'], peers: [peer.url] });
    try {
      const [result] = (await node.client?.syncAll()) ?? [];
      expect(result?.ok).toBe(false);
      const failed = log.events('sync.failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.msg).toContain('proxy refused header Authorization: Bearer ***; as base64 ***; in a query ?t=***; expected ***');
      expectNoToken(log.text());
      const app = express().use('/api/sync', node.router);
      const status = await request(app).get('/api/sync/status').set({ Authorization: `Bearer ${SENT}` }).expect(200);
      const lastError = (status.body as { peers: Array<{ lastError?: string }> }).peers[0]?.lastError;
      expect(lastError).toContain('Bearer ***');
      expectNoToken(JSON.stringify(status.body));
    } finally {
      await node.client?.stop();
      db.close();
    }
  });

  it.each([['status'], ['sync']])('the CLI %s: stderr says *** instead', async (command) => {
    const result = await cli(command, '--url', peer.url, '--token', SENT);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Bearer ***; as base64 ***; in a query ?t=***');
    expectNoToken(result.stdout + result.stderr, [SENT]); // the only token the CLI holds
  });
});
