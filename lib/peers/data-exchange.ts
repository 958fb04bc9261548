import type { PeerHttp } from './peer-http';
import { SyncError } from '../sync-error';

/** The tracked schema as `/data/info` describes it. */
export interface SchemaInfo {
  /** SHA-256 of the tracked tables, columns, types and keys. */
  readonly fingerprint: string;
  /** Table name to its column descriptions. */
  readonly tables: Readonly<Record<string, readonly unknown[]>>;
}

/** What `GET /data/info` answers. */
export interface DataInfoAnswer {
  readonly site: string;
  readonly protocol: number;
  readonly schema: SchemaInfo;
  readonly seq: number;
  readonly tables: readonly string[];
  /** The peer's wall clock when it answered, ms since the epoch. */
  readonly now?: number;
}

/** A page of changes as `GET /data/changes` answers it (the rest stays opaque here). */
export interface ChangePageAnswer {
  readonly site: string;
  readonly next: number;
  readonly more: boolean;
  readonly changes: readonly unknown[];
}

/** What applying a changeset reports. */
export interface ApplyAnswer {
  readonly applied: number;
  readonly ignored: number;
  readonly conflicts: readonly unknown[];
  readonly seq: number;
}

/**
 * The local side of data sync, as the sync client needs it. The
 * `ChangeTracker` returned by `enableCapture` has this shape.
 */
export interface LocalData {
  /** This database's site id. */
  readonly siteId: string;
  /** Site, protocol, schema, seq, tables. */
  info(): DataInfoAnswer;
  /** A page of local changes after `since`, leaving out what came from `excludeSite`. */
  readChanges(since: number, limit: number, excludeSite?: string): ChangePageAnswer;
  /** Applies a changeset in one transaction; a page from a peer also saves that peer's cursor in it. */
  applyChangeset(changeset: unknown): ApplyAnswer;
  /** How far changes from `site` have been applied here (the sender's seq). */
  cursorFor(site: string): number;
  /** How far local changes have been pushed to `site` (our seq). */
  pushedTo(site: string): number;
  /** Records that local changes up to `seq` reached `site`. */
  recordPushed(site: string, seq: number): void;
  /** Names what differs between our tracked schema and `theirs`. */
  describeSchemaDifference(theirs: SchemaInfo): readonly string[];
}

/** What the handshake learnt of the peer. */
export interface Handshake {
  readonly remoteSite: string;
  readonly remoteSeq: number;
  /** The peer's clock minus ours, ms (round-trip time halved and subtracted). */
  readonly clockSkewMs: number | undefined;
}

function checkInfoShape(info: DataInfoAnswer, url: string): void {
  const valid =
    typeof info.site === 'string' && /^[0-9a-f]{32}$/.test(info.site) && typeof info.protocol === 'number' && typeof info.seq === 'number' && typeof info.schema?.fingerprint === 'string';
  if (!valid) throw new SyncError('PEER_BAD_ANSWER', 502, `${url} answered /data/info with something that is not express-sqlite-sync's info`);
}

/**
 * Checks a peer before any data moves: same protocol, not our own site id
 * (a copied database), same tracked schema.
 * @throws SyncError `PROTOCOL_MISMATCH` (409), `SAME_SITE_ID` (409), `SCHEMA_MISMATCH` (409) naming the difference
 */
export async function handshake(peer: PeerHttp, local: LocalData): Promise<Handshake> {
  const sentAt = Date.now();
  const info = await peer.json<DataInfoAnswer>('GET', 'data/info');
  const receivedAt = Date.now();
  checkInfoShape(info, peer.url);
  const ours = local.info();
  if (info.protocol !== ours.protocol) {
    throw new SyncError('PROTOCOL_MISMATCH', 409, `${peer.url} speaks protocol ${info.protocol}, this server ${ours.protocol}; upgrade the older one`);
  }
  if (info.site === local.siteId) {
    throw new SyncError(
      'SAME_SITE_ID',
      409,
      `${peer.url} has this server's own site id ${info.site}: one database was copied from the other. Give one of them a new identity: stop it and run \`express-sqlite-sync new-site-id --db <its database>\` (or restore it from a backup with \`express-sqlite-sync restore\`, which does the same)`,
    );
  }
  if (info.schema.fingerprint !== ours.schema.fingerprint) {
    const differences = local.describeSchemaDifference(info.schema);
    throw new SyncError('SCHEMA_MISMATCH', 409, `${peer.url} tracks a different schema: ${differences.join('; ') || 'fingerprints differ'}`);
  }
  const clockSkewMs = typeof info.now === 'number' ? Math.round(info.now - (sentAt + receivedAt) / 2) : undefined;
  return { remoteSite: info.site, remoteSeq: info.seq, clockSkewMs };
}

/** Counts of one direction of data sync. */
export interface TransferCount {
  rows: number;
  conflicts: number;
  pages: number;
}

/**
 * Pulls the peer's changes page by page until it has no more, applying each
 * page in one transaction that also saves the peer's cursor. Changes that
 * came from this server are left out by the peer (`exclude_site`). The next
 * page is asked for before the current one is applied, so the peer reads
 * while this server writes.
 */
export async function pullChanges(peer: PeerHttp, local: LocalData, remoteSite: string, pageSize: number, onPage: (count: TransferCount) => void): Promise<TransferCount> {
  const count: TransferCount = { rows: 0, conflicts: 0, pages: 0 };
  const fetchPage = (since: number): Promise<ChangePageAnswer> =>
    peer.json<ChangePageAnswer>('GET', 'data/changes', { since: String(since), limit: String(pageSize), exclude_site: local.siteId });
  let cursor = local.cursorFor(remoteSite);
  let pending = fetchPage(cursor);
  for (;;) {
    const page = await pending;
    if (page.site !== remoteSite) throw new SyncError('PEER_BAD_ANSWER', 502, `${peer.url} changed its site id during the sync`);
    const last = !page.more || page.next <= cursor;
    if (!last) {
      pending = fetchPage(page.next);
      await new Promise((resolve) => setImmediate(resolve)); // let the request leave before the synchronous apply
    }
    try {
      const result = local.applyChangeset(page);
      count.conflicts += result.conflicts.length;
    } catch (error) {
      if (!last) pending.catch(() => undefined); // abandoned prefetch
      throw error;
    }
    count.rows += page.changes.length;
    count.pages += 1;
    onPage(count);
    if (last) return count;
    cursor = page.next;
  }
}

function isTooLarge(error: unknown): boolean {
  return error instanceof SyncError && (error.code === 'BODY_TOO_LARGE' || error.status === 413);
}

/**
 * Pushes local changes made since the last push to this peer, page by page,
 * without the changes that came from that peer. The pushed cursor advances
 * only after the peer applied a page, so a failed push is simply repeated
 * (applying is idempotent). The next page is read while the peer applies
 * the current one. A page the peer finds too large (413) is sent again in
 * halves, down to a single row.
 */
export async function pushChanges(peer: PeerHttp, local: LocalData, remoteSite: string, pageSize: number, onPage: (count: TransferCount) => void): Promise<TransferCount> {
  const count: TransferCount = { rows: 0, conflicts: 0, pages: 0 };
  let size = pageSize;
  let since = local.pushedTo(remoteSite);
  let page = local.readChanges(since, size, remoteSite);
  for (;;) {
    const sending = page.changes.length > 0 ? peer.json<ApplyAnswer>('POST', 'data/changes', {}, { kind: 'json', value: page }) : undefined;
    const last = !page.more || page.next <= since;
    let following: ChangePageAnswer | undefined;
    try {
      following = last ? undefined : local.readChanges(page.next, size, remoteSite);
    } finally {
      sending?.catch(() => undefined); // awaited just below; this only keeps a failure from going unhandled meanwhile
    }
    if (sending !== undefined) {
      let result: ApplyAnswer;
      try {
        result = await sending;
      } catch (error) {
        if (!isTooLarge(error) || page.changes.length <= 1) throw error;
        size = Math.max(1, Math.floor(page.changes.length / 2));
        page = local.readChanges(since, size, remoteSite);
        continue;
      }
      count.rows += page.changes.length;
      count.conflicts += result.conflicts.length;
      count.pages += 1;
      onPage(count);
    }
    if (page.next > since) local.recordPushed(remoteSite, page.next);
    if (following === undefined) return count;
    since = page.next;
    page = following;
  }
}
