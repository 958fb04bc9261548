import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { answerClientErrorsAsJson } from '../../middleware/client-errors';
import { continueOnlyWhenRead } from '../../middleware/expect-continue';

/** Sends `text` on a fresh connection and reads until the server closes it (or 5 s pass). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(text);
  });
}

/** The status, Content-Type and parsed JSON body of a raw answer. */
function read(answer: string): { status: number; type: string; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const type = /^content-type: *(.*)$/im.exec(head)?.[1] ?? '';
  return { status: Number(head.split(' ')[1]), type, body: body === '' ? undefined : JSON.parse(body) };
}

/**
 * Two requests Node answers before Express sees them, which answerClientErrorsAsJson left in
 * Node's words: an HTTP/1.1 request without Host (a bare 400, no body, no JSON) and a CONNECT
 * (no answer at all: the connection closed). Both are now in the JSON shape, and no route runs.
 */
describe('answerClientErrorsAsJson: no Host, CONNECT', () => {
  let server: http.Server;
  let port: number;
  let routed: string[];
  beforeEach(async () => {
    routed = [];
    const app = express();
    app.use((req, res) => {
      routed.push(`${req.method} ${req.url}`);
      res.json({ ok: true });
    });
    server = http.createServer(app);
    answerClientErrorsAsJson(server);
    answerClientErrorsAsJson(server); // twice: one check still
    continueOnlyWhenRead(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers an HTTP/1.1 request without Host 400 MALFORMED_REQUEST in JSON, before any route', async () => {
    for (const text of [
      'GET /status HTTP/1.1\r\n\r\n',
      'POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',
      'POST /upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    ]) {
      const answer = read(await exchange(port, text));
      expect(answer).toEqual({ status: 400, type: 'application/json; charset=utf-8', body: { error: { code: 'MALFORMED_REQUEST', message: 'an HTTP/1.1 request needs a Host header' } } });
    }
    expect(routed).toEqual([]);
    // With Host, and an HTTP/1.0 request (which needs none), the app answers as before.
    expect(read(await exchange(port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).body).toEqual({ ok: true });
    expect(read(await exchange(port, 'GET /b HTTP/1.0\r\n\r\n')).body).toEqual({ ok: true });
    expect(routed).toEqual(['GET /a', 'GET /b']);
  });

  it('answers CONNECT 405 METHOD_NOT_ALLOWED in JSON, and leaves it to an app that listens for it', async () => {
    const answer = read(await exchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    expect(answer.status).toBe(405);
    expect(answer.type).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'CONNECT is not a method of this server: it is no proxy' } });
    server.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => socket.end('HTTP/1.1 200 Connection Established\r\n\r\n'));
    expect(await exchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(routed).toEqual([]);
  });

  it('leaves a server made with requireHostHeader: false taking requests without Host', async () => {
    const lenient = http.createServer({ requireHostHeader: false }, (_req, res) => res.end('taken'));
    answerClientErrorsAsJson(lenient);
    await new Promise<void>((resolve) => lenient.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await exchange((lenient.address() as AddressInfo).port, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/taken$/);
    } finally {
      await new Promise((resolve) => lenient.close(resolve));
    }
  });
});
