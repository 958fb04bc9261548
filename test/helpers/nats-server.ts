import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './temp';

/** Debian's nats-server (`/usr/sbin` or `/usr/bin`), unless `NATS_SERVER_PATH` names another executable. */
export function natsServerPath(): string | undefined {
  const fromEnv = process.env.NATS_SERVER_PATH;
  const candidates = fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : ['/usr/sbin/nats-server', '/usr/bin/nats-server'];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` when nats-server is there; without it, `describe.skip` with a
 * warning, except under `CI=true`, where one failing test takes the suite's
 * place (CI installs nats-server, so its absence is a broken CI).
 */
export function describeWithNats(name: string, body: () => void): void {
  if (natsServerPath() !== undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('finds nats-server (CI=true: its absence fails the suite)', () => {
        throw new Error('no nats-server at /usr/sbin or /usr/bin and CI=true: CI must install Debian nats-server (apt-get install nats-server; .ci/run does) or set NATS_SERVER_PATH');
      });
    });
    return;
  }
  console.warn(`${name}: skipped: no nats-server; install Debian nats-server (apt-get install nats-server) or set NATS_SERVER_PATH`);
  describe.skip(name, body);
}

/** A nats-server with JetStream on a free port of 127.0.0.1 and a temp store. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Kills it with SIGKILL (no clean shutdown), keeping its store. */
  kill9(): Promise<void>;
  /** Stops it cleanly (SIGTERM), keeping its store. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Its JetStream store folder (copy it while the server is stopped). */
  readonly store: string;
  /** Stops it and removes its store. */
  close(): Promise<void>;
}

/** The lowest port Linux gives the local end of an outgoing connection (and `listen(0)`). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on `port` of 127.0.0.1 and closes again: whether it was free. */
async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

/**
 * A free TCP port on 127.0.0.1 for a server started right after, and maybe
 * stopped and started again on it (a restarted nats-server, a peer whose URL
 * must stay). It is picked below the ephemeral range: a port from
 * `listen(0)` could be taken meanwhile by the local end of any outgoing
 * connection on the machine (other tests' requests), so the restart failed
 * with EADDRINUSE now and then. `listen(0)` only when no port there is free.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 50 && low > 11_000; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (await canListen(port)) return port;
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every nats-server this process started and that has not exited yet. */
const running = new Set<ChildProcess>();
const killRunning = (): void => {
  for (const each of running) each.kill('SIGKILL');
};

/**
 * Kills (SIGKILL) the nats-servers still running when this process exits: a
 * test that failed or timed out before its `close()`, or a jest worker ended
 * early, leaves no nats-server behind (it would run for ever, its port and
 * store taken).
 */
function killAtExit(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killRunning); // one listener while any runs, none after (jest runs many files in one process)
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killRunning);
  });
}

function launch(executable: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  killAtExit(child);
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not start in 30 s:\n${log}`));
    }, 30_000); // generous: a loaded machine
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
  });
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts nats-server (`-js -sd <temp dir>`) on a free loopback port; or, with
 * `config`, from that configuration text, where `{PORT}` and `{STORE}` stand
 * for the port and the temp store.
 */
export async function startNatsServer(config?: string): Promise<NatsServer> {
  const executable = natsServerPath();
  if (executable === undefined) throw new Error('no nats-server (see describeWithNats)');
  const store = tempDir('ess-nats-');
  const file = path.join(store.dir, 'nats.conf');
  const argsFor = (port: number): string[] => {
    if (config === undefined) return ['-js', '-sd', store.dir, '-a', '127.0.0.1', '-p', String(port)];
    writeFileSync(file, config.replaceAll('{PORT}', String(port)).replaceAll('{STORE}', path.join(store.dir, 'js')));
    return ['-c', file];
  };
  // The free port may be taken by another test's process between the probe and the start: try another.
  let port = await freePort();
  let args = argsFor(port);
  let child: ChildProcess | undefined;
  for (let attempt = 1; child === undefined; attempt += 1) {
    try {
      child = await launch(executable, args);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('address already in use')) throw error;
      port = await freePort();
      args = argsFor(port);
    }
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    store: config === undefined ? store.dir : path.join(store.dir, 'js'),
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      child = undefined;
    },
    kill9: async () => {
      await stopChild(child, 'SIGKILL');
      child = undefined;
    },
    restart: async () => {
      child = await launch(executable, args);
    },
    close: async () => {
      await stopChild(child, 'SIGTERM');
      child = undefined;
      store.cleanup();
    },
  };
}
