import { READ_SYNC_VARIABLES } from './env-names';
import type { SampleConfig } from './config';
import { someHttpsPeer } from './named-files';

// What the start warns of without stopping: in the log (one warn line each) and in the banner (a `!` line each).

/**
 * What the start says of a SYNC_ variable set that the app does not read: the one it most likely
 * stands for, else the ones it reads (its value is not repeated: it may be a token).
 */
export function unreadMessage(name: string, meant: string | undefined): string {
  const hint = meant === undefined ? `its SYNC_ variables are ${READ_SYNC_VARIABLES.join(', ')}.` : `did you mean ${meant}?`;
  return `${name} is set but the sample app does not read it: ${hint} Rename it, or unset it`;
}

/** The banner's lines naming the SYNC_ variables set that the app does not read. */
export function unreadLines(unread: SampleConfig['unreadVariables']): string {
  return unread.map(({ name, meant }) => `            ! ${unreadMessage(name, meant)}\n`).join('');
}

/**
 * What the start says of a `SYNC_PEER_CA` no peer uses: it is read for `https://` peers only, so with none (every peer
 * written `http://`, the `s` forgotten, or no `SYNC_PEERS`) it was taken without a word, and the operator believed the
 * link encrypted while the token went to `http://` peers in the clear (the CLI refuses `--ca` with an `http://` URL).
 */
export function unusedPeerCa(config: Pick<SampleConfig, 'peerCaFile' | 'peers'>): string | undefined {
  if (config.peerCaFile === undefined || someHttpsPeer(config.peers)) return undefined;
  const which = config.peers.length === 0 ? 'SYNC_PEERS names no peer' : 'no peer in SYNC_PEERS is https:// (the token goes to them unencrypted)';
  return `SYNC_PEER_CA is set, but ${which}: it is unused; write the peers served over HTTPS (TLS_CERT and TLS_KEY there) as https://…, or unset SYNC_PEER_CA`;
}

/** The banner's line for {@link unusedPeerCa}. */
export function unusedCaLine(config: SampleConfig): string {
  const said = unusedPeerCa(config);
  return said === undefined ? '' : `            ! ${said}\n`;
}
