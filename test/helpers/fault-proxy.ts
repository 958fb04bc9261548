import net from 'node:net';

/** Which way bytes flow: `up` is client → server (the request), `down` server → client (the answer). */
export type FaultDirection = 'up' | 'down';

/** What the proxy does to one connection. */
export type Fault =
  | { readonly kind: 'pass' }
  /** Holds every chunk back `ms` before forwarding it. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forwards at most `bytesPerSecond` in each direction. */
  | { readonly kind: 'throttle'; readonly bytesPerSecond: number }
  /** Destroys both sockets once `afterBytes` have passed in `direction`. */
  | { readonly kind: 'cut'; readonly direction: FaultDirection; readonly afterBytes: number }
  /** Forwards `afterBytes` in `direction`, then nothing more either way, never closing. */
  | { readonly kind: 'stall'; readonly direction: FaultDirection; readonly afterBytes: number }
  /** Resets the client's connection at once (TCP RST). */
  | { readonly kind: 'reset' }
  /** Drops the answer's first byte. */
  | { readonly kind: 'drop-first-byte' };

/** A TCP proxy on 127.0.0.1 that injects one fault per connection. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Faults chosen so far, by connection, in order. */
  readonly log: readonly Fault[];
  /** Sets the fault chooser (the connection's 0-based index → its fault); `pass` heals. */
  setPlan(plan: (index: number) => Fault): void;
  /** Faults off from now on, and every faulted connection still open reset (a healed network: a stalled peer learns its partner is gone). */
  heal(): void;
  /** Destroys every open connection (a Wi-Fi blip): the next requests open new ones, which get the plan's faults. */
  dropConnections(): void;
  /** Points the proxy at another port (a restarted server). */
  setTarget(port: number): void;
  /** Destroys every open connection (a stall included) and stops listening. */
  close(): Promise<void>;
}

/** A seeded PRNG (mulberry32): the same seed, the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A chooser of random faults (about `faultShare` of the connections), from `random`. */
export function randomFaults(random: () => number, faultShare = 0.5): (index: number) => Fault {
  return () => {
    if (random() >= faultShare) return { kind: 'pass' };
    const direction: FaultDirection = random() < 0.5 ? 'up' : 'down';
    const afterBytes = Math.floor(random() * 64 * 1024);
    switch (Math.floor(random() * 6)) {
      case 0: return { kind: 'delay', ms: 50 + Math.floor(random() * 500) };
      case 1: return { kind: 'throttle', bytesPerSecond: 2048 + Math.floor(random() * 8192) };
      case 2: return { kind: 'cut', direction, afterBytes };
      case 3: return { kind: 'stall', direction, afterBytes };
      case 4: return { kind: 'reset' };
      default: return { kind: 'drop-first-byte' };
    }
  };
}

/** Moves bytes from `from` to `to` under `fault` for `direction`; `kill` ends the connection. */
function pipeWithFault(from: net.Socket, to: net.Socket, direction: FaultDirection, fault: Fault, kill: () => void): void {
  let passed = 0;
  let stalled = false;
  let first = direction === 'down';
  let budgetAt = Date.now();
  const write = (chunk: Buffer): void => {
    if (!to.destroyed) to.write(chunk);
  };
  from.on('data', (data: Buffer) => {
    let chunk = data;
    if (stalled) return;
    if (fault.kind === 'drop-first-byte' && first) {
      first = false;
      chunk = chunk.subarray(1);
    }
    if ((fault.kind === 'cut' || fault.kind === 'stall') && fault.direction === direction && passed + chunk.length >= fault.afterBytes) {
      write(chunk.subarray(0, Math.max(0, fault.afterBytes - passed)));
      passed = fault.afterBytes;
      if (fault.kind === 'cut') kill();
      else stalled = true;
      return;
    }
    passed += chunk.length;
    if (fault.kind === 'delay') {
      from.pause();
      setTimeout(() => {
        write(chunk);
        from.resume();
      }, fault.ms);
    } else if (fault.kind === 'throttle') {
      budgetAt = Math.max(budgetAt, Date.now()) + (chunk.length / fault.bytesPerSecond) * 1000;
      from.pause();
      setTimeout(() => {
        write(chunk);
        from.resume();
      }, budgetAt - Date.now());
    } else write(chunk);
  });
  from.on('end', () => {
    if (!stalled && !to.destroyed) to.end();
  });
}

/** Starts a fault proxy on 127.0.0.1 in front of `127.0.0.1:targetPort` (all faults off). */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let target = targetPort;
  let plan: (index: number) => Fault = () => ({ kind: 'pass' });
  const log: Fault[] = [];
  const open = new Set<net.Socket>();
  const faulted = new Set<() => void>();
  const server = net.createServer((client) => {
    const fault = plan(log.length);
    log.push(fault);
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (fault.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    const kill = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      if (fault.kind !== 'stall') upstream.destroy();
    });
    upstream.on('close', () => {
      if (fault.kind !== 'stall') client.destroy();
    });
    if (fault.kind !== 'pass') {
      faulted.add(kill);
      upstream.on('close', () => faulted.delete(kill));
    }
    pipeWithFault(client, upstream, 'up', fault, kill);
    pipeWithFault(upstream, client, 'down', fault, kill);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    setPlan: (next) => {
      plan = next;
    },
    heal: () => {
      plan = () => ({ kind: 'pass' });
      for (const kill of [...faulted]) kill();
      faulted.clear();
    },
    dropConnections: () => {
      for (const socket of open) socket.destroy();
    },
    setTarget: (next) => {
      target = next;
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
