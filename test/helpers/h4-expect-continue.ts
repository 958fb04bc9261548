import net from 'node:net';

/** What a client that waits for `100 Continue` sees: the first status line, then (if it was 100 and the body was sent) the final one. */
export async function expectContinue(port: number, url: string, token: string | undefined, body: Buffer, contentType: string): Promise<{ first: number; final: number | undefined; answer: string }> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  const statuses: number[] = [];
  let sentBody = false;
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      socket.destroy();
      resolve({ first: statuses[0] ?? 0, final: statuses[1] ?? (statuses[0] === 100 ? undefined : statuses[0]), answer: received });
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      statuses.splice(0, statuses.length, ...[...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1])));
      if (statuses[0] === 100 && !sentBody) {
        sentBody = true;
        socket.write(body);
      }
      if (statuses.some((status) => status !== 100) && /\r\n\r\n[\s\S]*\}$/.test(received)) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
    const auth = token === undefined ? '' : `Authorization: Bearer ${token}\r\n`;
    socket.write(`POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
  });
}
