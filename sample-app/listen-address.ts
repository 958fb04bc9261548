import net from 'node:net';
import type { SyncLogger } from '../index';

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

/** What {@link listenOn} logs with: the sample app's logger (`warn` only). */
export type ListenLogger = Pick<SyncLogger, 'warn'>;

/** How often one code of a listening server's errors is logged at most: out of descriptors, every accept fails. */
const SERVER_ERROR_LOG_INTERVAL_MS = 60_000;

/** Per code of a listening server's errors: when it was last logged, and how many of it were not logged since. */
type ErrorLogTimes = Map<string, { loggedAt: number; unlogged: number }>;

/**
 * Logs an error of a server that listens (an accept that fails: `EMFILE` when the process runs out of
 * file descriptors, `ECONNABORTED`): one warn line, `app.server_error`, naming its code (its name when it
 * has none), never its stack. Node keeps the server listening; the connection that failed is lost. A code
 * is logged at most once per {@link SERVER_ERROR_LOG_INTERVAL_MS} (out of descriptors, every accept of a
 * busy server fails: a line each would fill the log); its next line counts those not logged (`unlogged`).
 */
function logLaterError(logger: ListenLogger, error: unknown, server: net.Server, times: ErrorLogTimes): void {
  const failed = error as Partial<NodeJS.ErrnoException> | undefined;
  const code = failed?.code ?? failed?.name ?? 'unknown';
  const now = Date.now();
  const last = times.get(code);
  if (last !== undefined && now - last.loggedAt < SERVER_ERROR_LOG_INTERVAL_MS) {
    last.unlogged += 1;
    return;
  }
  times.set(code, { loggedAt: now, unlogged: 0 });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : undefined;
  const during = typeof failed?.syscall === 'string' ? ` (${failed.syscall})` : '';
  const hint = code === 'EMFILE' || code === 'ENFILE' ? ': the process is out of file descriptors; raise its limit (ulimit -n) or close what holds them' : '';
  const unlogged = last === undefined || last.unlogged === 0 ? undefined : last.unlogged;
  const more = unlogged === undefined ? '' : ` (${unlogged} more since the last line, not logged)`;
  logger.warn({ event: 'app.server_error', code, port, ...(unlogged === undefined ? {} : { unlogged }) }, `the server listening on port ${port ?? '?'} failed${during} with ${code}${more}; it keeps listening, a connection may have been refused${hint}`);
}

/**
 * Listens on `PORT` and `HOST`. Its 'error' listener stays on the server (`on`, not `once`):
 * an error before it listens rejects; an error once it listens (an accept that fails,
 * `EMFILE`) is logged on one line by `logger`, each code once a minute at most ({@link logLaterError}), and Node keeps listening;
 * without a listener, the error would be thrown and end the process.
 * @param logger - where errors of the listening server are told
 * @throws Error naming `HOST` (or `PORT`) when the address cannot be bound: not of this machine, in use, or a port below 1024 this user may not take
 */
export async function listenOn(server: net.Server, address: ListenAddress, logger: ListenLogger): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      let listening = false;
      const times: ErrorLogTimes = new Map();
      server.on('error', (error) => (listening ? logLaterError(logger, error, server, times) : reject(error)));
      server.listen(address.port, address.host, () => {
        listening = true;
        resolve();
      });
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
  await listenOn(probe, address, { warn: () => undefined }); // closed at once: it accepts no connection to fail
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
