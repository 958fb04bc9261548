import { STATUS_CODES, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

/** Node's parser codes, as the status and stable code of the JSON answer. */
function describeClientError(code: string | undefined): readonly [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'the request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'the request took too long to arrive'];
  if (code === 'HPE_URI_TOO_LONG' || code === 'HPE_URL_TOO_LONG') return [414, 'URI_TOO_LONG', 'the request URL is too long'];
  return [400, 'MALFORMED_REQUEST', 'the request is not valid HTTP'];
}

/**
 * Makes the HTTP server answer requests Node refuses before Express sees
 * them (headers over `maxHeaderSize`: 431; a malformed request: 400; a
 * request timeout: 408) in the same JSON shape as every other error,
 * `{ "error": { "code", "message" } }`, instead of Node's bare status line.
 * Call it once on the server your app listens with.
 */
export function answerClientErrorsAsJson(server: Server | HttpsServer): void {
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
