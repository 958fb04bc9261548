import { PeerHttp } from '../../lib/peers/peer-http';

/** Options every remote command takes. */
export interface RemoteOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeout: string;
}

/**
 * A client for the server named by `--url` (its sync router's base URL) with
 * `--token` or `SYNC_TOKEN`.
 * @throws Error when no token is given
 */
export function remoteServer(options: RemoteOptions): PeerHttp {
  const token = options.token ?? process.env.SYNC_TOKEN;
  if (token === undefined || token === '') throw new Error('no token: pass --token or set SYNC_TOKEN');
  return new PeerHttp({ url: options.url, token }, { peerTimeoutMs: Number(options.timeout) });
}
