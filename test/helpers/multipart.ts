import http from 'node:http';

/** One part of a hand-built multipart body. */
export interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly content: string | Buffer;
}

/** A multipart/form-data body built byte by byte, so tests control every header. */
export function multipart(parts: readonly Part[], boundary = 'test-boundary-7MA4YWxk'): { body: Buffer; contentType: string } {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename === undefined ? `form-data; name="${part.name}"` : `form-data; name="${part.name}"; filename="${part.filename}"`;
    const type = part.filename === undefined ? '' : 'Content-Type: application/octet-stream\r\n';
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`, 'utf8'));
    pieces.push(typeof part.content === 'string' ? Buffer.from(part.content) : part.content);
    pieces.push(Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** What a raw request saw. */
export interface RawResult {
  /** HTTP status, or undefined when the connection ended without an answer. */
  readonly status: number | undefined;
  /** Parsed JSON body, when there was one. */
  readonly body: unknown;
  /** Bytes of the request body the client had written when the answer (or the end) came. */
  readonly sentWhenAnswered: number;
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Body chunks, produced lazily so huge bodies never sit in memory. */
  readonly chunks?: Iterable<Buffer>;
  /** Destroy the socket after writing this many body bytes. */
  readonly abortAfterBytes?: number;
  /** Send neither `Content-Length` nor `Transfer-Encoding` (a body-less POST, as `curl -X POST` sends it); give no chunks then. */
  readonly noLengthHeader?: boolean;
}

/**
 * Sends a request with a streamed body over a plain socket-level client and
 * resolves when the answer's body ended or the connection closed.
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    let sent = 0;
    let sentWhenAnswered = -1;
    let settled = false;
    const request = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false });
    if (options.noLengthHeader === true) request.useChunkedEncodingByDefault = false; // Node then writes no Content-Length: 0 either
    const settle = (status: number | undefined, body: unknown): void => {
      if (settled) return;
      settled = true;
      resolve({ status, body, sentWhenAnswered: sentWhenAnswered < 0 ? sent : sentWhenAnswered });
    };
    request.on('response', (response) => {
      sentWhenAnswered = sent;
      const received: Buffer[] = [];
      response.on('data', (chunk: Buffer) => received.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(received).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        settle(response.statusCode, body);
      });
      response.on('error', () => settle(response.statusCode, undefined));
    });
    request.on('error', () => undefined);
    request.on('close', () => settle(undefined, undefined));
    const iterator = (options.chunks ?? [])[Symbol.iterator]();
    const pump = (): void => {
      for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
        if (settled || request.destroyed) return;
        if (options.abortAfterBytes !== undefined && sent + next.value.length > options.abortAfterBytes) {
          request.write(next.value.subarray(0, options.abortAfterBytes - sent), () => request.destroy());
          sent = options.abortAfterBytes;
          return;
        }
        sent += next.value.length;
        if (!request.write(next.value)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end();
    };
    pump();
  });
}

/** `count` copies of `chunk`, lazily. */
export function* repeat(chunk: Buffer, count: number): Iterable<Buffer> {
  for (let i = 0; i < count; i += 1) yield chunk;
}
