import net from 'node:net';
import { createSyncNode } from '../../node/create-sync-node';
import { silentLogger } from '../../lib/logger';
import { tempDb, TEST_SCHEMA } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';

/**
 * A NATS URL whose host takes the TCP connection and never answers (a hung
 * nats-server, a venue's captive portal): stop() waited for the connect to time
 * out (`requestTimeoutMs`, 10 s by default) even with `stop(0)`, so the sample
 * app's Ctrl-C gave up after 5 s and exited 1 without closing the database.
 */
describe('stop() while NATS is still connecting to a server that never answers', () => {
  it('ends at once (the connect is dropped, not waited for), says stopped, and leaves no connection once the server lets go', async () => {
    const sockets: net.Socket[] = [];
    let accepted: () => void = () => undefined;
    const connected = new Promise<void>((resolve) => (accepted = resolve));
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      accepted();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const temp = tempDb(TEST_SCHEMA);
    try {
      // An hour to connect: before the fix, stop() waited that long.
      const node = createSyncNode({ token: TEST_TOKEN, database: temp.db, tables: ['teams', 'reports'], logger: silentLogger, transport: { nats: { servers: `nats://127.0.0.1:${port}`, stream: 'HUNG', requestTimeoutMs: 3_600_000 } } });
      node.start(60_000);
      await connected;
      expect(node.client?.transportStatuses()[0]?.state).toBe('connecting');
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        node.stop(0).then(() => 'stopped'),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting after 30 s'), 30_000))), // against the hour it waited before: a loaded machine's seconds do not matter
      ]);
      clearTimeout(timer);
      expect(outcome).toBe('stopped');
      expect(node.client?.transportStatuses()[0]?.state).toBe('stopped');
      const late = await node.client?.syncAll();
      expect(late?.[0]?.error?.code).toBe('NATS_CLOSED');
      // The server lets go of the connection: nothing of it is left in this process.
      const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      temp.cleanup();
    }
  }, 120_000);
});
