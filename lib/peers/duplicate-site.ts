import type { ChangeTracker } from '../data/change-tracker';
import { newSiteIdCommand } from '../data/new-site-id-fix';
import { SyncError } from '../sync-error';

/** A peer's URL as `/status` names it: without the trailing `/` of its base URL. */
function named(url: string): string {
  return url.replace(/\/$/, '');
}

/**
 * `DUPLICATE_SITE_ID` (409): two peer URLs answer `GET /data/info` with one site id from two running servers.
 * Its message names both URLs, what was held back, and the fix; {@link DuplicateSiteError.urls} are the two, for the file bases kept with them.
 */
export class DuplicateSiteError extends SyncError {
  /** The URL of the round refused, and the other URL that answers as its site, as `/status` names them (the client's peer keys). */
  readonly urls: readonly [string, string];

  /**
   * @param url - the URL of the round refused
   * @param other - the other URL that answered as `site` lately, from another server
   */
  constructor(url: string, other: string, site: string) {
    super(
      'DUPLICATE_SITE_ID',
      409,
      `${named(url)} and ${named(other)} both answer as site ${site}: one database was copied from the other, or both servers run on one database file. Nothing is pulled from, pushed to or synced as files with either while this lasts, and what this server held of that site (its cursors, the file bases kept with both URLs) is forgotten: once it is fixed, each is pulled and sent everything again, nothing lost, and its files have a first sync (nothing deleted). Copies take new ids by themselves once their histories differ; to fix it now, on the copy, stop it and run \`${newSiteIdCommand(undefined)}\`, then start it again; two servers on one file stay one site: list only one of their URLs as a peer`,
    );
    this.urls = [named(url), named(other)];
  }
}

/**
 * Refuses a round with `url` while another URL answers as its site `site` from another server (see
 * `ChangeTracker.notePeer`): the cursors this server keeps per site id would be shared by the two, so one could be
 * passed over for changes it never received, or be sent another's acknowledgements. Those cursors are forgotten
 * (each time: a round with either URL that was under way when the other was met may have moved them since).
 * @param rival - the other URL, when the caller has just noted it
 * @throws DuplicateSiteError `DUPLICATE_SITE_ID` (409) while `site` is contested
 */
export function refuseSharedSite(local: ChangeTracker, url: string, site: string, rival = local.peerSiteRival(url, site)): void {
  if (rival === undefined) return;
  local.forgetPeerCursors(site);
  throw new DuplicateSiteError(url, rival, site);
}
