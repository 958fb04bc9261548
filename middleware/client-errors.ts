import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

/** Node's parser codes, as the status and stable code of the JSON answer. */
function describeClientError(code: string | undefined): readonly [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'the request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'the request took too long to arrive'];
  if (code === 'HPE_URI_TOO_LONG' || code === 'HPE_URL_TOO_LONG') return [414, 'URI_TOO_LONG', 'the request URL is too long'];
  return [400, 'MALFORMED_REQUEST', 'the request is not valid HTTP'];
}

/** A request whose `Expect` is not `100-continue`: 417 in the JSON shape, its body never read, the connection closed after it. */
function refuseExpectation(this: Server | HttpsServer, req: IncomingMessage, res: ServerResponse): void {
  // An app listening for such requests itself (before or after this was installed) answers them: one answer only.
  if (this.listenerCount('checkExpectation') > 1 || res.headersSent) return;
  const expected = String(req.headers.expect ?? '').slice(0, 100);
  const body = JSON.stringify({ error: { code: 'EXPECTATION_FAILED', message: `Expect: ${JSON.stringify(expected)} is not supported; send no Expect header, or Expect: 100-continue` } });
  res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/** The raw text of a JSON error answer that closes the connection, for a socket no `ServerResponse` writes to. */
function rawJsonAnswer(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * A `CONNECT` request (a proxy's method): 405 in the JSON shape. Without a `connect` listener Node closed the
 * connection without a word; an app listening for `connect` itself (a proxy) answers it instead.
 */
function refuseConnect(this: Server | HttpsServer, _req: IncomingMessage, socket: Duplex): void {
  if (this.listenerCount('connect') > 1) return;
  socket.on('error', () => socket.destroy());
  socket.end(rawJsonAnswer(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not a method of this server: it is no proxy'));
}

/** An HTTP/1.1 request without a `Host` header, which RFC 9112 (3.2) has a server answer 400. */
function lacksHost(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined;
}

/** The servers whose Host check {@link answerMissingHostAsJson} took over. */
const hostChecked = new WeakSet<Server | HttpsServer>();

/**
 * Node answers an HTTP/1.1 request without `Host` itself, a 400 without a body, before any listener sees it:
 * this turns Node's check off and makes the same refusal (400 `MALFORMED_REQUEST`) in the JSON shape, before
 * the request reaches any `request` listener (the app), so no route runs for it. A server made with
 * `requireHostHeader: false` (it takes such requests on purpose) is left as it is.
 */
function answerMissingHostAsJson(server: Server | HttpsServer): void {
  const settings = server as { requireHostHeader?: boolean };
  if (hostChecked.has(server) || settings.requireHostHeader === false) return;
  hostChecked.add(server);
  settings.requireHostHeader = false;
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  const emitUnlessHostless = (event: string | symbol, ...args: unknown[]): boolean => {
    const [req, res] = args as [IncomingMessage, ServerResponse];
    if (event !== 'request' || !lacksHost(req)) return emit(event, ...args);
    const body = JSON.stringify({ error: { code: 'MALFORMED_REQUEST', message: 'an HTTP/1.1 request needs a Host header' } });
    res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
    return true;
  };
  server.emit = emitUnlessHostless as typeof server.emit;
}

/**
 * Makes the HTTP server answer requests Node refuses before Express sees
 * them (headers over `maxHeaderSize`: 431; a malformed request, or an HTTP/1.1
 * one without `Host`: 400; a request timeout: 408; an `Expect` other than
 * `100-continue`: 417; a `CONNECT`: 405) in the same JSON shape as every other
 * error, `{ "error": { "code", "message" } }`, instead of Node's bare status
 * line (or, for `CONNECT`, a closed connection). Call it once on the server your app listens with.
 */
export function answerClientErrorsAsJson(server: Server | HttpsServer): void {
  if (!server.listeners('checkExpectation').includes(refuseExpectation)) server.on('checkExpectation', refuseExpectation);
  if (!server.listeners('connect').includes(refuseConnect)) server.on('connect', refuseConnect);
  answerMissingHostAsJson(server);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(rawJsonAnswer(...describeClientError(error.code)));
  });
}
