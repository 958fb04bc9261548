import net from 'node:net';

/** A TCP relay on 127.0.0.1 whose answers (server → client) drip: one byte every `everyMs` once `afterBytes` have passed. */
export interface DripProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Drips on connections opened from now on when true; passes them whole when false, and ends the dripping ones (a healed link: the client opens new ones). */
  setDripping(on: boolean): void;
  /** Destroys every open connection and stops listening. */
  close(): Promise<void>;
}

/** Moves `from`'s bytes to `to` one byte every `everyMs` after the first `afterBytes`, never closing on its own. */
function drip(from: net.Socket, to: net.Socket, afterBytes: number, everyMs: number, timers: Set<NodeJS.Timeout>): void {
  let passed = 0;
  const queue: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const head = queue[0];
    if (head === undefined || to.destroyed) {
      if (timer !== undefined) timers.delete(timer);
      timer = undefined;
      return;
    }
    to.write(head.subarray(0, 1));
    if (head.length === 1) queue.shift();
    else queue[0] = head.subarray(1);
    timer = setTimeout(tick, everyMs);
    timers.add(timer);
  };
  from.on('data', (data: Buffer) => {
    const free = Math.max(0, Math.min(data.length, afterBytes - passed));
    passed += data.length;
    if (free > 0 && !to.destroyed) to.write(data.subarray(0, free));
    if (free < data.length) {
      queue.push(data.subarray(free));
      if (timer === undefined) tick();
    }
  });
}

/** Starts a {@link DripProxy} in front of `127.0.0.1:targetPort`, dripping from the start. */
export async function startDripProxy(targetPort: number, afterBytes: number, everyMs: number): Promise<DripProxy> {
  let dripping = true;
  const open = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const slowLinks = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    const dripped = dripping;
    client.on('close', () => upstream.destroy());
    // A dripping answer goes on dripping after the server is done with it, as the slow link still holds its bytes.
    upstream.on('close', () => {
      if (!dripped) client.destroy();
    });
    client.pipe(upstream);
    if (dripped) {
      drip(upstream, client, afterBytes, everyMs, timers);
      slowLinks.add(client);
      client.on('close', () => slowLinks.delete(client));
    }
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDripping: (on) => {
      dripping = on;
      if (!on) for (const socket of slowLinks) socket.destroy();
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
