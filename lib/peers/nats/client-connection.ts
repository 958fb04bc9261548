import type { NatsConnection } from '@nats-io/transport-node';
import { SyncError } from '../../sync-error';
import { withoutCredentials } from './nats-util';
import { notNatsHint } from './not-nats-probe';

/*
 * The NATS client's connection as the link makes and ends it: why a
 * connection could not be made, in words that name the setting to check,
 * and closing one without the client's "write after end" crash.
 */

/**
 * Why no connection to `servers` could be made, from the client's `error`: the
 * credentials refused, a tls:// URL to a server without TLS, or no server
 * answering (with a hint when a port took the connection and never spoke NATS).
 * The servers are named without credentials.
 * @returns SyncError `NATS_UNREACHABLE` (503)
 */
export async function connectFailure(servers: readonly string[], error: unknown): Promise<SyncError> {
  const message = error instanceof Error ? error.message : String(error);
  const where = servers.map(withoutCredentials).join(', '); // resolved options hold none; a config built otherwise must not show them either
  // A server that answers but refuses the credentials is not down: say which setting to check.
  if (/authoriz|authenticat/i.test(message)) {
    return new SyncError('NATS_UNREACHABLE', 503, `the NATS server at ${where} refused this server's credentials (${message}): check the user and password (or token) in the NATS URL, or \`user\`/\`pass\`/\`token\``);
  }
  if (/\btls\b/i.test(message) && /^tls:/im.test(servers.join('\n'))) {
    return new SyncError('NATS_UNREACHABLE', 503, `the NATS server at ${where} does not speak TLS, and a tls:// URL never falls back to plain text (${message}): enable TLS on nats-server, or use nats:// on a network you trust`);
  }
  const hint = /\btime(d )?out\b/i.test(message) ? await notNatsHint(servers) : undefined; // a port that took the connection and never spoke NATS
  return new SyncError('NATS_UNREACHABLE', 503, `no NATS server answered at ${where}: ${message}${hint === undefined ? '' : `; ${hint}`}`);
}

/**
 * Closes a NATS connection, one macrotask after the writes already asked of it. The client
 * (@nats-io/transport-node 3.4) takes every listener off its socket as it closes; a write
 * made just before (an UNSUB, a publish, queued to go out in a microtask) to a socket that
 * nats-server had just ended (stopped or restarted) fails with "write after end", and that
 * socket's 'error' came one tick later with no listener left: an uncaught exception that
 * took the whole app down. After the wait those writes have gone out, and a failed one's
 * error has reached the client's own listener (the connection is then closed as lost).
 */
export async function closeClient(nc: NatsConnection): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (!nc.isClosed()) await nc.close();
}
