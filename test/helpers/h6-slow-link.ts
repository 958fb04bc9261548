import net from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a peer whose answers (server → client)
 * trickle, `chunkBytes` every `everyMs` (steady progress, as a long transfer
 * over a weak Wi-Fi link makes), until {@link SlowLink.release} lets the rest
 * through at full speed. Requests (client → server) pass whole.
 */
export interface SlowLink {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Bytes the relay has passed to clients so far. */
  readonly passed: () => number;
  /** Lets every answer, held and to come, through at full speed. */
  release(): void;
  /** Destroys every open connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link SlowLink} in front of `127.0.0.1:targetPort`. */
export async function startSlowLink(targetPort: number, chunkBytes: number, everyMs: number): Promise<SlowLink> {
  let released = false;
  let passed = 0;
  const open = new Set<net.Socket>();
  const flushers = new Set<() => void>();
  const timer = setInterval(() => {
    for (const flush of flushers) flush();
  }, everyMs);
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    const queue: Buffer[] = [];
    let upstreamDone = false;
    const flush = (): void => {
      let budget = released ? Number.POSITIVE_INFINITY : chunkBytes;
      while (budget > 0 && queue.length > 0 && !client.destroyed) {
        const head = queue[0] as Buffer;
        const part = head.subarray(0, Math.min(head.length, budget));
        client.write(part);
        passed += part.length;
        budget -= part.length;
        if (part.length === head.length) queue.shift();
        else queue[0] = head.subarray(part.length);
      }
      if (queue.length === 0 && upstreamDone) client.end();
    };
    flushers.add(flush);
    client.on('close', () => flushers.delete(flush));
    upstream.on('data', (data: Buffer) => {
      queue.push(data);
      if (released) flush();
    });
    upstream.on('end', () => {
      upstreamDone = true;
      if (released) flush();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    passed: () => passed,
    release: () => {
      released = true;
      for (const flush of flushers) flush();
    },
    close: async () => {
      clearInterval(timer);
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
