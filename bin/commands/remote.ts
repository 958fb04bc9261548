import { normalizePeerUrl } from '../../lib/peers/client-options';
import { PeerHttp, printable } from '../../lib/peers/peer-http';

/** Options every remote command takes. */
export interface RemoteOptions {
  readonly url: string;
  readonly token: string | undefined;
  /** Milliseconds without data before giving up (checked by the command line). */
  readonly timeout: number;
}

/**
 * A client for the server named by `--url` (its sync router's base URL; a
 * URL without a path means its `/api/sync`, as in `peers` and `SYNC_PEERS`)
 * with `--token` or `SYNC_TOKEN`.
 * @throws Error when no token is given; TypeError for a URL that is not http(s)
 */
export function remoteServer(options: RemoteOptions): PeerHttp {
  const token = options.token ?? process.env.SYNC_TOKEN;
  if (token === undefined || token === '') throw new Error('no token: pass --token or set SYNC_TOKEN');
  const url = normalizePeerUrl(options.url, '--url');
  return new PeerHttp({ url, token }, { peerTimeoutMs: options.timeout });
}

/** A server's answer made safe for a terminal, line by line: control characters (escape sequences, carriage returns) replaced. */
export function printableLines(text: string): string {
  return text
    .split('\n')
    .map((line) => printable(line, 10_000))
    .join('\n');
}
