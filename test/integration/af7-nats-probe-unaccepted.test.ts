import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';

type Node = TempDb & { readonly tracker: ChangeTracker; readonly transport: NatsTransport };

/**
 * A NATS URL whose host never completes the TCP handshake (a laptop switched off behind a firewall that drops,
 * a server whose accept queue is full): the NATS client times out, and the not-NATS probe that follows a timeout
 * must not say that something there 'takes the connection but never greets as NATS': nothing took it. Simulated
 * with a listener whose process never accepts (backlog 1, its event loop blocked): two connections fill its queue,
 * later ones stay in SYN_SENT.
 */
describe('af7: the not-NATS probe and a host that never accepts the connection', () => {
  let node: Node | undefined;
  let child: ChildProcess | undefined;
  const fillers: net.Socket[] = [];
  afterEach(async () => {
    await node?.transport.close();
    node?.cleanup();
    node = undefined;
    for (const socket of fillers.splice(0)) socket.destroy();
    child?.kill('SIGKILL');
    child = undefined;
  });

  /** A port whose listener never accepts, its queue already filled. */
  async function unacceptedPort(): Promise<number> {
    const script = "const s=require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(String(s.address().port)+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000);});";
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      child?.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child?.once('exit', () => reject(new Error('the listener exited')));
    });
    for (let i = 0; i < 2; i += 1) {
      const filler = net.connect({ host: '127.0.0.1', port });
      filler.on('error', () => undefined);
      fillers.push(filler);
      await new Promise((resolve) => filler.once('connect', resolve));
    }
    // The queue is full: a connection now stays unmade (else this test would show nothing).
    const pending = net.connect({ host: '127.0.0.1', port });
    pending.on('error', () => undefined);
    fillers.push(pending);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pending.connecting).toBe(true);
    return port;
  }

  it('af7-nats-probe-unaccepted: the connection never made: NATS_UNREACHABLE without the "takes the connection" hint', async () => {
    const port = await unacceptedPort();
    const temp = trackedDb();
    node = { ...temp, transport: new NatsTransport(resolveNatsOptions({ servers: `nats://127.0.0.1:${port}`, stream: 'FLEET', requestTimeoutMs: 2000 }), { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    const failure = await node.transport.exchange().then(
      () => undefined,
      (error: unknown) => ({ code: (error as { code?: unknown }).code, message: (error as Error).message }),
    );
    expect(failure).toMatchObject({ code: 'NATS_UNREACHABLE', message: expect.stringMatching(/no NATS server answered at/) });
    expect(failure?.message).not.toMatch(/takes the connection|HTTP server/);
  }, 30_000);
});
