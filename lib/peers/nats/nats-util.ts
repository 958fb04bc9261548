import { SyncError } from '../../sync-error';

/** A failure as `/status` shows it: a SyncError's code, an errno code, or `NATS_ERROR`. */
export function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof SyncError) return { code: error.code, message: error.message };
  const code = (error as { code?: unknown } | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'NATS_ERROR', message: error instanceof Error ? error.message : String(error) };
}

/**
 * A failure of the NATS client as a SyncError with a documented code and a
 * hint: `NATS_TIMEOUT` (504) for a request nobody answered in time,
 * `NATS_UNREACHABLE` (503) for a connection that is down or closed; a
 * SyncError is returned as it is, anything else is `NATS_ERROR` (502).
 */
export function natsFailure(error: unknown, servers: readonly string[], timeoutMs: number, domain?: string): SyncError {
  if (error instanceof SyncError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const where = servers.map(withoutCredentials).join(', ');
  if (name === 'TimeoutError' || /\btime(d )?out\b/i.test(message)) {
    return new SyncError('NATS_TIMEOUT', 504, `NATS did not answer within ${timeoutMs} ms (${where}): is nats-server running there with JetStream on (-js), and reachable from this server?`, { cause: error });
  }
  if (/ClosedConnection|ConnectionError|disconnect|closed|ECONNREFUSED|ECONNRESET/i.test(`${name} ${message}`)) {
    return new SyncError('NATS_UNREACHABLE', 503, `the connection to NATS is down (${where}): ${message}; the client keeps trying`, { cause: error });
  }
  if (domain !== undefined && /jetstream is not enabled/i.test(message)) {
    // JetStream in another domain answers so too: the operator would turn on a -js that is already on.
    return new SyncError('NATS_ERROR', 502, `no JetStream answered in the domain "${domain}" (${where}: ${message}): check the domain (\`transport.nats.domain\`, SYNC_NATS_DOMAIN in the sample app), or that nats-server runs with JetStream on (-js)`, { cause: error });
  }
  if (/jetstream not enabled for account/i.test(message)) {
    // The server runs JetStream, but the account this server's user belongs to has none: the -js hint would mislead.
    return new SyncError('NATS_ERROR', 502, `the NATS server at ${where} runs JetStream, but not for the account this server connects as (${message}): add \`jetstream: enabled\` (or its limits, \`jetstream { max_file: … }\`) to that account in nats-server's configuration and reload it (\`nats-server --signal reload\`), or connect as a user of an account that has it`, { cause: error });
  }
  if (/jetstream is not enabled/i.test(message)) {
    // Debian's nats-server service, as installed, listens on 127.0.0.1:4222 without JetStream: the README's URL.
    return new SyncError('NATS_ERROR', 502, `the NATS server at ${where} runs without JetStream (${message}): start it with -js (nats-server -js -sd <store folder>), or add \`jetstream { store_dir: <a folder its user can write> }\` to its configuration (Debian's nats-server service reads /etc/nats-server.conf and runs as the user nats) and restart it`, { cause: error });
  }
  return new SyncError('NATS_ERROR', 502, `NATS answered with an error (${where}): ${message}`, { cause: error });
}

/**
 * A NATS URL's user information and the URL without it. The user information
 * ends at the URL's last "@" (no host holds one), so a password or token with
 * an unescaped "/", "?" or "#" (as base64 secrets have) is still taken out.
 * `userinfo` is undefined for a URL without one.
 * @throws TypeError for a `server` that is not a string
 */
export function splitUserinfo(server: string): { readonly userinfo: string | undefined; readonly rest: string } {
  if (typeof server !== 'string') throw new TypeError(`express-sqlite-sync: splitUserinfo needs a NATS URL as a string, got ${server === null ? 'null' : typeof server}`);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(server)?.[0] ?? '';
  const at = server.lastIndexOf('@');
  if (at < scheme.length) return { userinfo: undefined, rest: server };
  return { userinfo: server.slice(scheme.length, at), rest: scheme + server.slice(at + 1) };
}

/** A NATS URL without its user and password, for `/status`. */
export function withoutCredentials(server: string): string {
  return splitUserinfo(server).rest;
}

/** A wait of `ms` that `wake()` ends early. */
export function wakeableSleep(ms: number): { readonly done: Promise<void>; readonly wake: () => void } {
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}
