import net from 'node:net';

/** Where the sample app listens: `PORT` and `HOST` (undefined for all interfaces). */
export interface ListenAddress {
  readonly port: number;
  readonly host: string | undefined;
}

/** Error codes of a `HOST` that names no address of this machine: it does not resolve, or it resolves elsewhere. */
const NOT_HERE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EAI_FAIL', 'EAI_NONAME']);

/** The error of a listen that failed, naming `HOST` or `PORT` and the fix; the error itself for another cause. */
function listenFailure(error: unknown, address: ListenAddress): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (address.host !== undefined && NOT_HERE.has(code)) {
    return new Error(`HOST=${JSON.stringify(address.host)}: cannot listen there (${code}); give an address of this machine (127.0.0.1, 0.0.0.0, its LAN address) or leave HOST unset for all interfaces`, { cause: error });
  }
  if (code === 'EADDRINUSE') return new Error(`PORT=${address.port}: the port is in use by another program; stop it or choose another PORT`, { cause: error });
  if (code === 'EACCES') {
    // Ports below 1024 (443, 80) need root or the right to bind them; the README's cloud server uses 443.
    return new Error(`PORT=${address.port}: this user may not listen on it (EACCES: ports below 1024 need extra rights); choose a PORT of 1024 or more (and forward ${address.port} to it), or let node bind low ports (sudo setcap cap_net_bind_service=+ep "$(command -v node)")`, { cause: error });
  }
  return error;
}

/**
 * Listens on `PORT` and `HOST`. Its 'error' listener stays on the server: an error once it
 * listens (an accept that fails, EMFILE) finds it, a no-op then, and Node keeps listening;
 * without one, the error would be thrown and end the process.
 * @throws Error naming `HOST` (or `PORT`) when the address cannot be bound: not of this machine, in use, or a port below 1024 this user may not take
 */
export async function listenOn(server: net.Server, address: ListenAddress): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.on('error', reject); // `on`, not `once`: every later error too, not only the first
      server.listen(address.port, address.host, () => resolve());
    });
  } catch (error) {
    throw listenFailure(error, address);
  }
}

/**
 * Listens on `PORT` and `HOST` once, and closes at once: run before the data folder
 * is made or a token written, so a `HOST` that is not of this machine (`HOST=192.0.2.7`,
 * a name that does not resolve), or a `PORT` in use or not allowed, stops the start
 * with nothing left behind (no new data folder, no `.sync-token` never used).
 * @throws Error naming `HOST` or `PORT`, as {@link listenOn}
 */
export async function checkListenAddress(address: ListenAddress): Promise<void> {
  const probe = net.createServer();
  await listenOn(probe, address);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
