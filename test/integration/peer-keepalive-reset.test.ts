import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PeerHttp } from '../../lib/peers/peer-http';

/**
 * A peer that answers the first request on a connection with keep-alive and
 * resets the connection when a second request arrives on it (as a server
 * closing an idle kept-alive connection just as the client reuses it);
 * requests on a new connection are answered.
 */
async function resettingPeer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let answered = 0;
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        if (answered > 0) {
          socket.resetAndDestroy();
          return;
        }
        answered += 1;
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/sync`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a kept-alive connection the peer drops just as it is reused', () => {
  it('is sent again once on a new connection, so the round does not fail with ECONNRESET', async () => {
    const peer = await resettingPeer();
    const http = new PeerHttp({ url: peer.url, token: 'a-long-enough-token-123' });
    try {
      const first = await http.request('GET', 'data/info');
      first.body.resume();
      await new Promise((resolve) => first.body.on('end', resolve));
      await new Promise((resolve) => setImmediate(resolve)); // the socket goes back to the agent's pool
      const second = await http.request('POST', 'data/changes', {}, { kind: 'json', value: { protocol: 1 } });
      expect(second.status).toBe(200);
      second.body.resume();
      expect(peer.connections()).toBe(2);
    } finally {
      http.close();
      await peer.close();
    }
  });
});
