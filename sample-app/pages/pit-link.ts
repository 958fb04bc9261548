import { lstat } from 'node:fs/promises';
import type { RequestHandler } from 'express';
import { SyncError } from '../../index';

/**
 * Refuses the photo pages while `uploads/pit` is a symbolic link (an operator's link to a bigger disk, say): the
 * file sync never follows a link to a folder (the status page lists it, "a symbolic link that leaves the root"),
 * so a photo saved through it never reached a peer, while the page said "Saved" and that photos sync to every
 * server. 409 `PIT_FOLDER_LINKED`, before any of an upload's body is read; nothing is written.
 * @param pit the unresolved path of `uploads/pit` (the photo root itself is resolved, links followed)
 */
export function refuseLinkedPit(pit: string): RequestHandler {
  return (_req, _res, next) => {
    void lstat(pit).then(
      (found) => next(found.isSymbolicLink() ? linkedPit() : undefined),
      () => next(), // missing: made again, or said, as before
    );
  };
}

function linkedPit(): SyncError {
  return new SyncError(
    'PIT_FOLDER_LINKED',
    409,
    'uploads/pit is a symbolic link on this server, not a folder: the sync never follows a link to a folder, so no photo kept through it reaches the other servers; nothing was read or saved. Make uploads/pit a folder again (move the photos into it, then remove the link)',
  );
}
