import type { ErrorRequestHandler } from 'express';
import express from 'express';
import net from 'node:net';
import { silentLogger } from '../../lib/logger';
import { SyncError } from '../../lib/sync-error';
import { syncErrorHandler } from '../../middleware/errors';
import { closeAfterUnreadBody } from '../../middleware/lingering-close';
import { startServer, type TestServer } from '../helpers/server';

const BODY_BYTES = 20_000;
const SENT_FIRST = 1_000;

/** What one raw request saw: the answer, the bytes the server read on that connection, and any socket error at the client. */
interface RawExchange {
  readonly answer: string;
  readonly serverRead: number;
  readonly clientError: string | undefined;
}

/**
 * Sends a POST whose body is still coming when the server answers: the
 * headers and the first bytes, then, once the whole answer arrived, the rest
 * and the end, as a client (a browser, a peer) whose upload is refused early
 * does. Resolves once both ends closed.
 */
async function postAnsweredEarly(server: TestServer, path: string): Promise<RawExchange> {
  const serverSide = new Promise<net.Socket>((resolve) => server.server.once('connection', resolve));
  const { port } = new URL(server.url);
  const client = net.connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
  let clientError: string | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => (clientError = error.code ?? error.message));
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`;
  client.write(head + 'x'.repeat(SENT_FIRST));
  const socket = await serverSide;
  const serverClosed = new Promise<number>((resolve) => socket.once('close', () => resolve(socket.bytesRead)));
  const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  let answer = '';
  await new Promise<void>((resolve) => {
    client.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(answer)?.[1];
      const start = answer.indexOf('\r\n\r\n');
      if (length !== undefined && start >= 0 && answer.length - start - 4 >= Number(length)) resolve();
    });
  });
  if (!client.destroyed) client.end('x'.repeat(BODY_BYTES - SENT_FIRST));
  const serverRead = await serverClosed;
  await clientClosed;
  return { answer, serverRead, clientError };
}

/**
 * A 5xx answered while the request's body is still coming (507
 * STORAGE_NOT_WRITABLE for an upload into a folder the server may not write,
 * refused before the body is read) closes the connection after a lingering
 * close. The error middleware then passed the 5xx on with `next(err)` as soon
 * as the answer was sent; Express's default handler (an app without an error
 * middleware of its own) cut the connection at once, while the client was
 * still sending: the kernel reset it, and the client read `EPIPE` or
 * `ECONNRESET` instead of the 507 (in about one upload of five into a
 * read-only folder, more under load). Now a 5xx is passed on once that
 * connection has closed; one on a connection kept alive, as soon as it is sent.
 */
describe('a 5xx answered before the body arrived is passed on after the lingering close', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function appWith(after?: ErrorRequestHandler): express.Express {
    const app = express();
    app.post('/upload', (_req, _res, next) => next(new SyncError('STORAGE_NOT_WRITABLE', 507, 'uploads/x.txt cannot be written')));
    app.get('/broken', (_req, _res, next) => next(new Error('a bug')));
    app.use(closeAfterUnreadBody({ refusedBodyDrainMs: 60_000 }));
    app.use(syncErrorHandler(silentLogger));
    if (after !== undefined) app.use(after);
    return app;
  }

  it("with Express's default handler: the client reads the 507 and sends its whole body, never reset", async () => {
    server = await startServer(appWith());
    const exchange = await postAnsweredEarly(server, '/upload');
    expect(exchange.answer).toMatch(/^HTTP\/1\.1 507 /);
    expect(exchange.answer).toContain('"code":"STORAGE_NOT_WRITABLE"');
    expect(exchange.clientError).toBeUndefined();
    expect(exchange.serverRead).toBeGreaterThanOrEqual(BODY_BYTES); // the rest was drained, not cut off
  });

  it("the app's error middleware sees the 5xx once the connection closed; on a kept-alive one, once it is answered", async () => {
    const seen: { code: unknown; headersSent: boolean; closed: boolean }[] = [];
    let passedOn: () => void = () => undefined;
    server = await startServer(
      appWith((err: { code?: unknown }, req, res, _next) => {
        seen.push({ code: err.code, headersSent: res.headersSent, closed: req.socket.destroyed });
        passedOn();
      }),
    );
    const upload = await postAnsweredEarly(server, '/upload');
    expect(upload.clientError).toBeUndefined();
    expect(seen).toEqual([{ code: 'STORAGE_NOT_WRITABLE', headersSent: true, closed: true }]);

    const passed = new Promise<void>((resolve) => (passedOn = resolve));
    const res = await fetch(`${server.url}/broken`);
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([500, 'INTERNAL']);
    await passed;
    expect(seen[1]).toEqual({ code: 'INTERNAL', headersSent: true, closed: false });
  });
});
