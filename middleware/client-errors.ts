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

/**
 * Makes the HTTP server answer requests Node refuses before Express sees
 * them (headers over `maxHeaderSize`: 431; a malformed request: 400; a
 * request timeout: 408; an `Expect` other than `100-continue`: 417) in the
 * same JSON shape as every other error, `{ "error": { "code", "message" } }`,
 * instead of Node's bare status line. Call it once on the server your app listens with.
 */
export function answerClientErrorsAsJson(server: Server | HttpsServer): void {
  if (!server.listeners('checkExpectation').includes(refuseExpectation)) server.on('checkExpectation', refuseExpectation);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] = describeClientError(error.code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
