import net from 'node:net';
import { withoutCredentials } from './nats-util';

/** How long the probe waits for a greeting, then for an answer to its HTTP request. */
const PROBE_WAIT_MS = 1000;

/** A NATS URL's host and port (4222 when it names none), or undefined when it does not parse. */
function hostAndPort(server: string): { readonly host: string; readonly port: number } | undefined {
  const plain = withoutCredentials(server.trim());
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(plain) ? plain : `nats://${plain}`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { host, port: url.port === '' ? 4222 : Number(url.port) };
  } catch {
    return undefined;
  }
}

/**
 * What answers at one NATS URL that did not greet as NATS: 'http' for a web server (it answered a
 * request with `HTTP/`), 'silent' for one that took the connection and said nothing, undefined when
 * nothing took it (refused, or not made within PROBE_WAIT_MS) or it greeted (a NATS server, only slow:
 * not this probe's business).
 */
function probe(server: string): Promise<'http' | 'silent' | undefined> {
  const target = hostAndPort(server);
  if (target === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    // Nothing here keeps the process alive: a probe still running when the server stops holds it for no one.
    const socket = net.connect(target).unref();
    let heard = '';
    let asked = false;
    const done = (what: 'http' | 'silent' | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    // A connection not made in time (a host that is off behind a firewall that drops, a listener that never accepts) took nothing: no hint.
    let timer = setTimeout(() => done(undefined), PROBE_WAIT_MS).unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      // A NATS server greets first (INFO); an HTTP server waits for a request.
      timer = setTimeout(() => {
        asked = true;
        socket.write('GET / HTTP/1.0\r\n\r\n');
        timer = setTimeout(() => done('silent'), PROBE_WAIT_MS).unref();
      }, PROBE_WAIT_MS).unref();
    });
    socket.setTimeout(3 * PROBE_WAIT_MS, () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      heard += chunk.toString('latin1');
      if (heard.length >= 5) done(asked && heard.startsWith('HTTP/') ? 'http' : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(asked && heard.startsWith('HTTP/') ? 'http' : undefined));
  });
}

/**
 * After a connection attempt that timed out: what answers at those URLs instead of a NATS server, as a
 * hint for the operator (an HTTP server there is most often nats-server's monitoring port, 8222, or a sync
 * server's own HTTP port given as SYNC_NATS_URL); undefined when nothing tells (nothing answers at all).
 * @param servers - the NATS URLs (their credentials are never shown)
 */
export async function notNatsHint(servers: readonly string[]): Promise<string | undefined> {
  const found = await Promise.all(servers.map(async (server) => ({ server: withoutCredentials(server), what: await probe(server) })));
  const http = found.filter((each) => each.what === 'http').map((each) => each.server);
  const silent = found.filter((each) => each.what === 'silent').map((each) => each.server);
  if (http.length > 0) {
    return `an HTTP server answers at ${http.join(', ')}, not NATS: that is a web port (nats-server's monitoring port, 8222 by default, or a sync server's own HTTP port); give nats-server's client port (4222 by default) in the NATS URL (\`transport.nats.servers\`, SYNC_NATS_URL in the sample app)`;
  }
  if (silent.length > 0) {
    return `something at ${silent.join(', ')} takes the connection but never greets as NATS: check that this is nats-server's client port (4222 by default) in the NATS URL (\`transport.nats.servers\`, SYNC_NATS_URL in the sample app)`;
  }
  return undefined;
}
