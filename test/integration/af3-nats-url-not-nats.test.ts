import net from 'node:net';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, freePort, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; readonly transport: NatsTransport };

/**
 * A NATS URL that names a port where something else answers: nats-server's monitoring port (8222 by default, an
 * HTTP server), or a server that takes connections and says nothing. The NATS client waits for a greeting that
 * never comes, and the round said only 'no NATS server answered at …: timeout', as for a host that is down,
 * though a server is there, on another port than the one meant.
 */
describeWithNats('af3: a NATS URL naming a port where no NATS server listens, but something else does (real nats-server)', () => {
  let server: NatsServer | undefined;
  let node: Node | undefined;
  let silent: net.Server | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    await node?.transport.close();
    node?.cleanup();
    node = undefined;
    await server?.close();
    server = undefined;
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise<void>((resolve) => (silent === undefined ? resolve() : silent.close(() => resolve())));
    silent = undefined;
  });

  async function roundAt(url: string): Promise<{ code: unknown; message: string } | undefined> {
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: url, stream: 'FLEET', requestTimeoutMs: 2000 }), { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    return node.transport.exchange().then(
      () => undefined,
      (error: unknown) => ({ code: (error as { code?: unknown }).code, message: (error as Error).message }),
    );
  }

  it("af3-nats-url-not-nats: nats-server's monitoring port: NATS_UNREACHABLE saying an HTTP server answers there and to give the client port", async () => {
    const monitor = await freePort();
    server = await startNatsServer(`listen: 127.0.0.1:{PORT}\nhttp: 127.0.0.1:${monitor}\njetstream { store_dir: "{STORE}" }\n`);
    const failure = await roundAt(`nats://user:secret@127.0.0.1:${monitor}`);
    expect(failure).toMatchObject({ code: 'NATS_UNREACHABLE', message: expect.stringMatching(new RegExp(`no NATS server answered at nats://127\\.0\\.0\\.1:${monitor}: .*an HTTP server answers at nats://127\\.0\\.0\\.1:${monitor}, not NATS.*monitoring port, 8222.*client port \\(4222 by default\\)`)) });
    expect(failure?.message).not.toMatch(/secret/);
    expect(node?.transport.status().lastError).toMatchObject({ code: 'NATS_UNREACHABLE', message: failure?.message });
  }, 30_000);

  it('af3-nats-url-not-nats: a server that takes the connection and says nothing: NATS_UNREACHABLE saying so', async () => {
    silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    const port = await new Promise<number>((resolve) => silent?.listen(0, '127.0.0.1', () => resolve((silent?.address() as net.AddressInfo).port)));
    const failure = await roundAt(`127.0.0.1:${port}`);
    expect(failure).toMatchObject({ code: 'NATS_UNREACHABLE', message: expect.stringMatching(/takes the connection but never greets as NATS.*4222/) });
  }, 30_000);

  it('af3-nats-url-not-nats: nothing listening: the message stays as it was (no hint)', async () => {
    const port = await freePort();
    const failure = await roundAt(`nats://127.0.0.1:${port}`);
    expect(failure).toMatchObject({ code: 'NATS_UNREACHABLE' });
    expect(failure?.message).not.toMatch(/HTTP server|never greets/);
  }, 30_000);
});
