import http from 'node:http';
import express from 'express';
import { PROCESSING_ASKED, PROCESSING_HEADER } from '../../lib/processing-asked';
import { whileSendingProcessing } from '../../routes/processing-keep-alive';
import { startServer, type TestServer } from '../helpers/server';

/**
 * `102 Processing` while a snapshot is built goes only to a client that asked for it (this package's joiner):
 * before, every HTTP/1.1 client got one a second, and many do not pass over a 1xx other than 100 (nginx as a
 * proxy takes it for the final answer) or give up after a few (Go's client, so Caddy as a proxy, after 5).
 */
describe('102 Processing only when asked', () => {
  let server: TestServer;
  beforeAll(async () => {
    const app = express().get('/slow', async (req, res) => {
      await whileSendingProcessing(req, res, new Promise((resolve) => setTimeout(resolve, 400)), 20);
      res.send('done');
    });
    server = await startServer(app);
  });
  afterAll(() => server.close());

  async function get(headers: http.OutgoingHttpHeaders): Promise<{ interim: number; status: number | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      let interim = 0;
      const request = http.get(`${server.url}/slow`, { headers }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ interim, status: response.statusCode, body }));
      });
      request.on('information', () => (interim += 1));
      request.on('error', reject);
    });
  }

  it('a client that did not ask gets none', async () => {
    expect(await get({})).toEqual({ interim: 0, status: 200, body: 'done' });
  });

  it('a client that asked gets them, then the answer', async () => {
    const answer = await get({ [PROCESSING_HEADER]: PROCESSING_ASKED });
    expect(answer.interim).toBeGreaterThan(3);
    expect(answer).toMatchObject({ status: 200, body: 'done' });
  });
});
