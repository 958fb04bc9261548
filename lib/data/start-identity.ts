import type Database from 'better-sqlite3';
import type { Reidentified } from './change-tracker';
import { fileIdentity, recordedFileIdentity, recordFileIdentity } from './file-identity';
import { rewindOf } from './served-mark';
import { giveNewSiteId } from './site-identity';

/**
 * A site id belongs to one database file. When this file is not the one the
 * id was last used in (a copy: `cp` to a new file, a data folder copied to
 * another laptop, a backup restored as a new file), the copy takes a new site
 * id by itself before anything is captured or sent, so two servers never
 * share one (however far apart they are) and nothing is lost: its rows are
 * sent again under the new id. The first start records the file.
 */
function takeNewIdIfCopied(db: Database.Database): Reidentified | undefined {
  const current = fileIdentity(db);
  const recorded = recordedFileIdentity(db);
  if (current === undefined || recorded === current) return undefined;
  if (recorded === undefined) {
    recordFileIdentity(db, current);
    return undefined;
  }
  const ids = giveNewSiteId(db, { pullAgain: false }); // found at its first start: it never ran under the shared id
  return { code: 'SITE_CLONED', detail: 'this database file is a copy (not the file its site id was last used in)', ...ids };
}

/**
 * A database put back in place from an older copy (`cp backup.db app.db`
 * with the server stopped keeps the file, so {@link takeNewIdIfCopied} cannot
 * see it) is behind the last mark it served, which its served-mark file
 * remembers: it takes a new site id by itself before anything is captured or
 * sent, so what it lost comes back from its peers under the old id and its
 * new rows never reuse seqs their cursors have passed.
 */
function takeNewIdIfRewound(db: Database.Database): Reidentified | undefined {
  const detail = rewindOf(db);
  if (detail === undefined) return undefined;
  return { code: 'SITE_REWOUND', detail, ...giveNewSiteId(db, { pullAgain: false }) };
}

/**
 * Checks this database file's identity at start (inside `enableCapture`'s transaction): a copy or a
 * rewound file takes a new site id by itself; undefined when it kept its own.
 */
export function reidentifyAtStart(db: Database.Database): Reidentified | undefined {
  return takeNewIdIfCopied(db) ?? takeNewIdIfRewound(db);
}
