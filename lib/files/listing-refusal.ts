import { SyncError } from '../sync-error';
import { NOT_PERMITTED } from './safe-path';

/*
 * The refusal of a manifest listing that would miss what this server's user
 * may not read (lib/files/manifest-directory.ts): a peer would take the
 * missing files for deleted, so no listing is given at all.
 */

/**
 * The refusal of a listing that would miss the files of a folder this
 * server's user may not read or enter (`EACCES`, `EPERM`): a listing without
 * them would have a peer take them for deleted, so none is given. Worded to
 * read right in the log of the peer that asked.
 * @param clientPath - the folder, `<root>[/<folder>]`, as it may be shown (or the file's path)
 * @param what - `'file'` for a file this server may not read (mode 000, another user's)
 * @returns SyncError `FILE_UNREADABLE` (403)
 */
export function folderUnreadable(clientPath: string, what: 'folder' | 'file' = 'folder'): SyncError {
  const lost = what === 'folder' ? 'the files in it' : 'it';
  return new SyncError(
    'FILE_UNREADABLE',
    403,
    `the ${what} ${clientPath} cannot be read by the server listing it (its permissions refuse that server's user), so no listing is given: one without ${lost} would have a peer take ${what === 'folder' ? 'them' : 'it'} for deleted. That server's operator can make it readable (chmod or chown) or move it out of the sync root`,
  );
}

/** True for a file-system refusal of this server's user (`EACCES`, `EPERM`). */
export function notPermitted(error: unknown): boolean {
  return NOT_PERMITTED.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}
