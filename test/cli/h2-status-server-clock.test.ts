import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatConfirmed } from '../../bin/commands/confirm';
import { formatStatus } from '../../bin/commands/status';
import { TEST_TOKEN } from '../helpers/server';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'bin', 'express-sqlite-sync.js');

/** The clock of the server below: ten minutes ahead of this machine's. */
const AHEAD_MS = 10 * 60 * 1000;

/** A server whose clock runs ahead, answering `/status` with a peer last synced 30 s ago and next tried in 40 s, by that clock. */
async function serverAhead(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    const now = Date.now() + AHEAD_MS;
    const peer = { url: 'http://10.0.0.3:5000/api/sync', name: 'pit', running: false, state: 'failing', failures: 1, lastError: 'ECONNRESET: reset', lastSuccessAt: new Date(now - 30_000).toISOString(), nextRunAt: new Date(now + 40_000).toISOString() };
    const body = JSON.stringify({ name: 'cloud', site: 'ab'.repeat(16), seq: 1, conflicts: 0, peers: [peer], heldDeletions: [], fileConflicts: [], refusals: [], transports: [], identityChange: null, dataError: null });
    res.sendDate = false;
    res.writeHead(200, { 'content-type': 'application/json', date: new Date(now).toUTCString() }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('express-sqlite-sync status tells times by the server\'s clock', () => {
  // A laptop whose clock was 10 min behind the server printed "last success -570s ago" and
  // "next try in 640s" (the status page already reads the server's Date header).
  it('a laptop whose clock is behind the server\'s prints the server\'s own "30s ago" and "in 40s"', async () => {
    const server = await serverAhead();
    try {
      const { stdout } = await run(process.execPath, [CLI, 'status', '--url', server.url, '--token', TEST_TOKEN]);
      const line = stdout.split('\n').find((text) => text.startsWith('- pit')) ?? '';
      const ago = Number(/last success (-?\d+)s ago/.exec(line)?.[1]);
      const next = Number(/next try in (-?\d+)s/.exec(line)?.[1]);
      // The Date header has whole seconds, and the answer takes a moment to arrive: a few seconds' slack,
      // far from the -570 s and 640 s this machine's clock gives.
      expect(ago).toBeGreaterThanOrEqual(29);
      expect(ago).toBeLessThanOrEqual(40);
      expect(next).toBeGreaterThanOrEqual(30);
      expect(next).toBeLessThanOrEqual(41);
    } finally {
      await server.close();
    }
  });

  it('a time a server sends that is no date reads "unknown", never "NaN"', () => {
    const peer = { url: 'http://10.0.0.3:5000/api/sync', running: false, failures: 1, lastError: 'x', lastSuccessAt: 'yesterday', nextRunAt: 'soon' };
    const text = formatStatus({ conflicts: 0, peers: [peer] } as unknown as Parameters<typeof formatStatus>[0]);
    expect(text).toContain('last success unknown');
    expect(text).toContain('next try unknown');
    expect(text).not.toContain('NaN');
  });
});

describe('express-sqlite-sync status with a root held back on both sides', () => {
  // Each side's line came with the same command, which confirms both: run after reading one line, it
  // deleted on both servers.
  it('prints both sides, then one command that says it takes both', () => {
    const held = (side: 'here' | 'there', count: number) => ({ peer: 'http://b:5000/api/sync', root: 'static', side, count, files: count, percent: 100, examples: [] });
    const text = formatStatus({ conflicts: 0, peers: [], heldDeletions: [held('here', 1), held('there', 3)] } as unknown as Parameters<typeof formatStatus>[0], 'http://a:5000');
    const lines = text.split('\n');
    expect(lines.filter((line) => line.startsWith('! HELD'))).toHaveLength(2);
    expect(lines.filter((line) => line.includes('confirm-deletions'))).toEqual([
      '  If both are intended (one confirmation takes both sides): npx express-sqlite-sync confirm-deletions --url http://a:5000 --peer http://b:5000/api/sync --root static',
    ]);
    expect(lines.at(-1)).toContain('confirm-deletions');
  });
});

describe('express-sqlite-sync confirm-deletions when the sync holds them back again', () => {
  // The hold grew after it was shown (a confirmation allows only the count shown): the sync held it back
  // again and deleted nothing, yet the command printed "✔ synced with …" and exited 0.
  it('says nothing of it was deleted', () => {
    const held = { peer: 'http://b:5000/api/sync', root: 'static', side: 'here' as const, count: 5, files: 6, percent: 83, examples: [] };
    const text = formatConfirmed({ confirmed: [{ ...held, count: 4 }], results: [{ peer: held.peer, ok: true, heldDeletions: [held] }] });
    expect(text.split('\n')).toEqual([
      'confirmed: 4 deletion(s) of 6 file(s) in static on this server',
      '✘ synced with http://b:5000/api/sync, but it would now delete more (5 files in static on this server): held back again, nothing of it deleted; see status',
      '',
    ]);
  });
});
