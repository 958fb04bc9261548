import http from 'node:http';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode } from '../../node/create-sync-node';
import { startServer, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { heldPeer } from '../helpers/h2-held-peer';

const RUNS = 12;

/** Starts a streamed run; resolves once its answer has begun (its progress reader is subscribed then), with its whole body to come. */
function startStreamedRun(url: string): Promise<{ readonly body: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/sync/run?stream=ndjson`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      const whole = new Promise<string>((done, failed) => {
        res.on('end', () => done(body));
        res.on('error', failed);
      });
      resolve({ body: whole }); // wrapped: a promise resolved with a promise would wait for it

    });
    req.on('error', reject);
    req.end();
  });
}

describe('POST /run?stream=ndjson, many at once', () => {
  // Each streamed run added a 'progress' listener to the client: the 11th made Node print
  // "MaxListenersExceededWarning: Possible EventEmitter memory leak detected" on the server.
  it(`${RUNS} concurrent streamed runs share one progress listener, each gets its results, and none is left after`, async () => {
    const temp = tempDir('ess-h2-run-');
    const uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    const peer = await heldPeer();
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { uploads }, stateDir: path.join(temp.dir, 'state'), peers: [peer.url] });
    const app = express();
    app.use('/api/sync', node.router);
    const server = await startServer(app);
    try {
      const client = node.client;
      if (client === undefined) throw new Error('no client');
      const baseline = client.listenerCount('progress');
      const runs = await Promise.all(Array.from({ length: RUNS }, () => startStreamedRun(server.url)));
      await peer.firstRequest;
      expect(client.listenerCount('progress') - baseline).toBe(1);
      peer.release();
      for (const body of await Promise.all(runs.map((run) => run.body))) {
        const last = JSON.parse(body.trim().split('\n').at(-1) ?? '') as { type: string; results: Array<{ ok: boolean }> };
        expect(last).toMatchObject({ type: 'results', results: [{ ok: false }] });
      }
      expect(client.listenerCount('progress')).toBe(baseline);
    } finally {
      await node.stop(0);
      await server.close();
      await peer.close();
      temp.cleanup();
    }
  });
});
