import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerHttp } from '../../lib/peers/peer-http';
import { remoteServer } from '../../bin/commands/remote';
import { TEST_TOKEN } from '../helpers/server';

// A peer's answer that brings under 1 KiB in a peerTimeoutMs is a link that
// drips (h5-dripping-peer). The command line's `sync` reads `POST
// /run?stream=ndjson`, which its server paces itself (a short line per step,
// repeated every 10 s while a step runs): a few bytes a timeout are progress
// there, and a long, healthy run must not be cut as a dripping link.
const TIMEOUT_MS = 400;
const LINES = 12; // 100 ms apart: three timeouts, each of ~4 short lines

describe('an answer its server paces, a short line at a time', () => {
  let server: http.Server;
  let url: string;
  beforeEach(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        res.write(`${JSON.stringify({ progress: { phase: 'files', done: sent } })}\n`);
        if (sent === LINES) {
          clearInterval(timer);
          res.end(`${JSON.stringify({ results: [] })}\n`);
        }
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function readAll(peer: PeerHttp): Promise<string> {
    const response = await peer.request('POST', 'run', { stream: 'ndjson' });
    let text = '';
    for await (const chunk of response.body) text += (chunk as Buffer).toString('utf8');
    return text;
  }

  it("is read to its end by the command line's `sync` client", async () => {
    const peer = remoteServer({ url, token: TEST_TOKEN, timeout: TIMEOUT_MS }, true);
    try {
      expect(await readAll(peer)).toContain('"results":[]');
    } finally {
      peer.close();
    }
  });

  it("is cut as a dripping link by a peer's client (under 1 KiB a timeout)", async () => {
    const peer = new PeerHttp({ url, token: TEST_TOKEN }, { peerTimeoutMs: TIMEOUT_MS });
    try {
      await expect(readAll(peer)).rejects.toThrow(/too little data for 400 ms/);
    } finally {
      peer.close();
    }
  });
});
