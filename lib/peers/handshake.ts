import type { ChangeTracker } from '../data/change-tracker';
import { dataInfoCheck, type DataInfo } from '../data/wire-schema';
import { differencesInWords } from '../data/schema-fingerprint';
import type { PeerHttp } from './peer-http';
import { CLI_COMMAND } from '../cli-command';
import { SyncError } from '../sync-error';
import { stopCopyFix } from '../data/new-site-id-fix';
import type { StreamCoverage } from './nats/stream-coverage';
import { refuseSharedSite } from './duplicate-site';

/** What the handshake learnt of the peer. */
export interface Handshake {
  readonly remoteSite: string;
  /** The peer's name, when it has one. */
  readonly remoteName: string | undefined;
  readonly remoteSeq: number;
  /**
   * The peer's changes beyond our pull cursor, as it counted them without
   * what we sent it (an older peer does not count: its seq less our cursor).
   */
  readonly remoteUnpulled: number;
  /** The peer's clock minus ours, ms (round-trip time halved and subtracted). */
  readonly clockSkewMs: number | undefined;
  /** What the peer holds of the NATS streams it reads (`nats` in `/data/info`; none from a peer without NATS, or an older one). */
  readonly natsCoverage: readonly StreamCoverage[];
}

/**
 * The identity part of the `/data/info` query: who asks (`site`, so the peer
 * answers how far it holds our changes), and what we hold of the site last
 * seen at this URL (`seen_*`, so a peer whose history differs from it takes a
 * new site id by itself before it answers).
 */
function identityQuery(local: ChangeTracker, seen: string | undefined): Record<string, string> {
  const query: Record<string, string> = { site: local.siteId };
  if (seen === undefined) return query;
  const view = local.peerView(seen);
  if (view.seq === 0) return query;
  return { ...query, seen_site: seen, seen_seq: String(view.seq), ...(view.mark === null ? {} : { seen_mark: view.mark }) };
}

/**
 * The peer's `/data/info`, asked with what we hold of the site last seen at
 * its URL. When the site that answers is not that one (none was seen there
 * yet: this server restarted, or the URL is new; or the peer answers with
 * another id: an older copy of its database, under an id it had left, was
 * put back) but we hold changes of the site that answers, it is asked once
 * more with them: a peer restored from a backup checks its history against
 * ours on the first contact too, before any page is pulled from it.
 */
async function askInfo(peer: PeerHttp, local: ChangeTracker): Promise<{ readonly info: DataInfo; readonly sentAt: number }> {
  const seen = local.peerSiteAt(peer.url);
  const sentAt = Date.now();
  const info = await peer.json('GET', 'data/info', dataInfoCheck, identityQuery(local, seen));
  if (info.site === seen || info.site === local.siteId || local.peerView(info.site).seq === 0) return { info, sentAt };
  const againAt = Date.now();
  return { info: await peer.json('GET', 'data/info', dataInfoCheck, identityQuery(local, info.site)), sentAt: againAt };
}

/**
 * A peer's URL as `/status`, the CLI and every other message name it: without
 * the trailing `/` its base URL carries (`http://10.0.0.2:5000/api/sync`).
 */
function named(url: string): string {
  return url.replace(/\/$/, '');
}

/**
 * Checks this server's identity against what the peer holds of it, and the
 * peer's against the other peers'.
 * @param sentAt - when `info` was asked for
 * @throws SyncError `SITE_REWOUND` / `SITE_CLONED` (409) after this server took a new site id by itself (its rows are
 * sent again, nothing to do); `DUPLICATE_SITE_ID` (409) when another URL answered with the same site id lately from another server
 * (either URL, whichever was met first: the cursors kept for that site are forgotten)
 */
function checkIdentities(peer: PeerHttp, local: ChangeTracker, info: DataInfo, sentAt: number): void {
  if (info.you !== undefined) {
    const changed = local.checkOwnHistory(info.you);
    if (changed !== undefined) {
      throw new SyncError(
        changed.code,
        409,
        `this database's history differs from what ${named(peer.url)} holds for its site id (${changed.detail}): it was rewound (an older copy put back) or copied from another server. It took the new site id ${changed.current} by itself; its rows are sent again to every peer and nothing is lost; nothing to do`,
      );
    }
  }
  // Whichever URL was met first: while another server answers the same id, neither is synced (see refuseSharedSite).
  // Stamped when it was asked: an answer that took long may name an instance another URL left since (a restart).
  refuseSharedSite(local, peer.url, info.site, local.notePeer(peer.url, info.site, info.instance, sentAt));
}

/**
 * Picks the newest data protocol both sides speak (an older peer lists none:
 * it speaks `protocol`, 1) and keeps it on the link for its pages both ways.
 * A join checks it before it downloads a snapshot: a database that could never sync with its peer is not made.
 * @throws SyncError `PROTOCOL_MISMATCH` (409) when there is none
 */
export function chooseProtocol(peer: PeerHttp, info: DataInfo): void {
  const theirs = info.protocols ?? [info.protocol];
  const common = peer.protocols.filter((protocol) => theirs.includes(protocol));
  if (common.length === 0) {
    const spoken = theirs.length === 0 ? 'no data protocol' : `protocol ${theirs.join(', ')}`;
    throw new SyncError('PROTOCOL_MISMATCH', 409, `${named(peer.url)} speaks ${spoken}, this server ${peer.protocols.join(', ')}; upgrade the older one`);
  }
  peer.dataProtocol = Math.max(...common);
}

/**
 * Checks a peer before any data moves: same protocol, not our own site id
 * (a copied database, or this server listed as its own peer), same tracked
 * schema; then the identities (see {@link checkIdentities}). The peer tells
 * how far it has pulled from us: the push cursor moves up to it (never back).
 * When this server took a new site id while it asked (a concurrent round with
 * another peer found it rewound or copied), it asks once more as the new site.
 * @param again - whether it may ask once more (false on that second asking)
 * @throws SyncError `PEER_BAD_ANSWER` (502) for an answer that is not `/data/info`'s; `PROTOCOL_MISMATCH` (409), `SAME_SITE_ID` (409),
 * `SCHEMA_MISMATCH` (409) naming the difference; `SITE_REWOUND`, `SITE_CLONED`, `DUPLICATE_SITE_ID` (409)
 */
export async function handshake(peer: PeerHttp, local: ChangeTracker, again = true): Promise<Handshake> {
  const asked = local.siteId;
  const { info, sentAt } = await askInfo(peer, local);
  // Another peer's round made this server take a new site id while this one asked: the answer (`you`,
  // `cursor`) is about the id it left, so ask again as the new one (else it took a second new id for nothing).
  if (again && local.siteId !== asked) return handshake(peer, local, false);
  const receivedAt = Date.now();
  const ours = local.info();
  chooseProtocol(peer, info);
  if (info.site === local.siteId) {
    if (info.instance !== undefined && info.instance === ours.instance) throw new SyncError('SAME_SITE_ID', 409, `${named(peer.url)} is this server itself: remove it from its peers (\`peers\`, SYNC_PEERS in the sample app)`);
    throw new SyncError(
      'SAME_SITE_ID',
      409,
      `${named(peer.url)} has this server's own site id ${info.site}: one database was copied from the other, or both servers run on this very database file. Give a copy a new identity: ${stopCopyFix(local.databaseFile)} (or restore it from a backup with \`${CLI_COMMAND} restore\`, which does the same); a server on this very file is this server itself: remove it from its peers (\`peers\`, SYNC_PEERS in the sample app)`,
    );
  }
  if (info.schema.fingerprint !== ours.schema.fingerprint) {
    // Worded for a refused push ("on the sender"); in a handshake nobody sends: the peer is "there".
    const differences = local.describeSchemaDifference(info.schema).map((difference) => difference.replace(/ on the sender$/, ' there'));
    const fix = 'migrate every server to the same tracked tables and columns (the same `tables` list and the same CREATE/ALTER statements), then sync: changes wait meanwhile, none is lost';
    throw new SyncError('SCHEMA_MISMATCH', 409, `${named(peer.url)} tracks a different schema: ${differencesInWords(differences) || 'fingerprints differ'}; ${fix}`);
  }
  checkIdentities(peer, local, info, sentAt);
  const clockSkewMs = Math.round(info.now - (sentAt + receivedAt) / 2);
  // What the peer pulled from us it has: pushing starts after it (a change crosses a link once).
  // Checked after the identities: a cursor beyond our seq is a rewind, handled above.
  if (info.cursor !== undefined && info.cursor <= ours.seq) local.savePushCursor(info.site, info.cursor);
  const remoteUnpulled = info.unpulled ?? Math.max(0, info.seq - local.pullCursor(info.site));
  return { remoteSite: info.site, remoteName: info.name, remoteSeq: info.seq, remoteUnpulled, clockSkewMs, natsCoverage: info.nats ?? [] };
}
