/**
 * A benchmark client in its own process (so its memory is not the server's):
 * streams a multipart upload of `size` bytes generated on the fly and prints
 * one JSON line: status, ms to the response, bytes it managed to send.
 * Usage: stream-upload <url> <token> <filename> <size> <fill: zero|random>
 */
import { randomFillSync } from 'node:crypto';
import http from 'node:http';

const [url = '', token = '', filename = 'file.bin', sizeText = '0', fill = 'zero'] = process.argv.slice(2);
const size = Number(sizeText);
const boundary = `----bench${Date.now()}`;
const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
const chunk = Buffer.alloc(256 * 1024);
if (fill === 'random') randomFillSync(chunk);
else if (filename.endsWith('.db')) chunk.write('SQLite format 3\0', 'latin1');

const started = performance.now();
let sent = 0;
let answered = false;
const request = http.request(url, {
  method: 'POST',
  headers: {
    Authorization: `Bearer ${token}`,
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Content-Length': String(head.length + size + tail.length),
  },
});
function finish(status: number | string): void {
  if (answered) return;
  answered = true;
  process.stdout.write(`${JSON.stringify({ status, ms: performance.now() - started, sent })}\n`);
  request.destroy();
}
request.on('response', (response) => {
  response.resume();
  response.on('end', () => finish(response.statusCode ?? 0));
});
request.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
request.write(head);
function pump(): void {
  while (sent < size && !answered) {
    const piece = size - sent >= chunk.length ? chunk : chunk.subarray(0, size - sent);
    sent += piece.length;
    if (!request.write(piece)) {
      request.once('drain', pump);
      return;
    }
  }
  if (!answered) request.end(tail);
}
pump();
