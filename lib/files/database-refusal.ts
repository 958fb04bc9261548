import { refusalPath } from '../refusal-log';
import { SyncError } from '../sync-error';
import { databaseSideFolderOn, isDatabaseOnDisk } from './database-file';
import { canonicalFileName, type FilePolicy } from './file-policy';
import { namesTokenFile, namesTokenFileCopy, TOKEN_FILE_NAME } from './token-file-names';
import { parseSyncPath, resolveSyncPath, type ResolvedSyncPath } from './safe-path';

const WHY = 'databases sync as data, never as files';
/** Why a sync token file is refused, after what names it. */
const TOKEN_FILE_WHY = "the file a sync token is kept in; it never syncs (a server's secret is not served, listed or replaced)";
/** What a copy of the sync token file is (`.sync-token.bak`, `.sync-token~`, `.#.sync-token` …), before {@link TOKEN_FILE_WHY}. */
const TOKEN_FILE_COPY = `a copy of ${TOKEN_FILE_NAME} (a backup, or an editor's swap, lock or auto-save file of it)`;

/** Characters a reader would not see, or that would reorder or break the text around them: shown as `\uXXXX`. */
const UNSHOWN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}/gu;

/** `text` as a JSON string, with every character a reader would not see escaped (`"x.db\u200b"`). */
export function quotedName(text: string): string {
  return JSON.stringify(text).replace(UNSHOWN, (found) => [...Array(found.length).keys()].map((index) => `\\u${found.charCodeAt(index).toString(16).padStart(4, '0')}`).join(''));
}

/** `text` as it is when every character of it shows (and it does not end in a space), else {@link quotedName}. */
export function shownPath(text: string): string {
  UNSHOWN.lastIndex = 0;
  return UNSHOWN.test(text) || /\s$|^\s/.test(text) ? quotedName(text) : text;
}

/**
 * The refusal of a path named like a database (`DB_FILE_REFUSED`, 403): the
 * one wording every route, the guard and the sync client use. With `pattern`,
 * the path is refused by that configured pattern (`extraDatabasePatterns`),
 * and the message says so. The path is shown with hidden characters escaped.
 * @param shown - how the message shows `clientPath` (an upload's file name sent: quoted and cut, see quotedName); by default {@link shownPath}
 */
export function databaseNameRefused(clientPath: string, pattern?: string, shown = shownPath(clientPath)): SyncError {
  if (namesTokenFile(clientPath)) {
    const named = namesTokenFileCopy(clientPath) ? `as ${TOKEN_FILE_COPY}` : TOKEN_FILE_NAME;
    return new SyncError('DB_FILE_REFUSED', 403, `${shown} is named ${named}, ${TOKEN_FILE_WHY}`);
  }
  if (pattern !== undefined) {
    return new SyncError('DB_FILE_REFUSED', 403, `${shown} matches ${quotedName(pattern)}, one of this server's extraDatabasePatterns; files matching them never sync`);
  }
  return new SyncError('DB_FILE_REFUSED', 403, `${shown} is an SQLite database file name; ${WHY}`);
}

/**
 * {@link databaseNameRefused} for `relative` under `policy`: naming the configured pattern when one refuses it, and
 * the folder when a folder on the way, not the file, is named like a database (see {@link databaseFolderRefused}).
 */
export function nameRefusal(policy: FilePolicy, relative: string, clientPath: string): SyncError {
  const pattern = policy.refusingPattern?.(relative);
  const folder = pattern === undefined && !namesTokenFile(relative) ? databaseNamedFolder(policy, relative) : undefined;
  if (folder === undefined) return databaseNameRefused(clientPath, pattern);
  const root = clientPath.endsWith(relative) ? clientPath.slice(0, clientPath.length - relative.length) : '';
  return databaseFolderRefused(clientPath, `${root}${folder}`);
}

/** The first folder on the way to `relative` (the file itself left out) that the built-in rules refuse by its name; undefined for none. */
function databaseNamedFolder(policy: FilePolicy, relative: string): string | undefined {
  const segments = relative.split('/');
  for (let count = 1; count < segments.length; count += 1) {
    const folder = segments.slice(0, count).join('/');
    if (policy.isDatabaseName(folder) && policy.refusingPattern?.(folder) === undefined) return folder;
  }
  return undefined;
}

/**
 * The refusal of a path under a folder named like a database or one of its side files (`uploads/app.db/readme.txt`,
 * `x.sqlite/`, `store.db-journal/`), or like a lock (`x.lock/`): that name is the reason, not the file's. The rule is
 * kept on purpose: a folder under a database's name, or its `-journal`'s or `-wal`'s, keeps SQLite from opening that
 * database, so such a folder is never made, entered or synced (the manifest reports it in `fileNameProblems`). Worded
 * for a folder and for the database file itself (`instance/app.db/x` beside the live `app.db`) alike.
 * @param folderPath - the folder, `<root>/<folder>`
 * @returns SyncError `DB_FILE_REFUSED` (403)
 */
export function databaseFolderRefused(clientPath: string, folderPath: string): SyncError {
  const where = `${shownPath(clientPath)} is under ${shownPath(folderPath)}`;
  if (canonicalFileName(folderPath.slice(folderPath.lastIndexOf('/') + 1)).endsWith('.lock')) {
    return new SyncError('DB_FILE_REFUSED', 403, `${where}, named *.lock as tools name their locks: nothing under it is entered or synced (a lock held for a moment goes by itself); if it is a folder that holds files to sync, rename it`);
  }
  return new SyncError(
    'DB_FILE_REFUSED',
    403,
    `${where}, whose name is an SQLite database's (or one of its side files'): nothing under that name is made, entered or synced, as a folder there keeps SQLite from opening the database it is named after. If it is a folder of files to sync, rename it (a name without .db, .sqlite… or -journal, -wal, -shm)`,
  );
}

/**
 * `resolveSyncPath`, except that a path refused as malformed (400 `BAD_PATH`:
 * `x.db.`, `x.db ` end with a dot or a space, which Windows strips; `x.db::$DATA`,
 * `x.db:s` name an NTFS stream of `x.db`; `x.loc`
 * + U+212A Kelvin sign, `x.sqli` + U+0308 are not in NFC) whose name is a
 * database name under `policy` is refused as one (403 `DB_FILE_REFUSED`), as
 * the same name is without the dot, or in NFC; so is one in a folder this
 * server may not enter (403 `FILE_UNREADABLE`), or that runs through a file
 * (409 `PATH_CONFLICT`: `instance/app.db-wal/x` beside a live WAL database): a
 * database name is refused whatever stands on the way. A path a symbolic link on the way leads
 * to a database name is refused too (see {@link refuseLinkedDatabase}).
 * @throws SyncError as `resolveSyncPath` does, `DB_FILE_REFUSED` or `DB_CONTENT_REFUSED` (403)
 */
export async function resolveSyncPathOrDatabaseName(roots: ReadonlyMap<string, string>, policy: FilePolicy, input: unknown, needsFile: boolean): Promise<ResolvedSyncPath> {
  let target: ResolvedSyncPath;
  try {
    target = await resolveSyncPath(roots, input, needsFile);
  } catch (error) {
    if (error instanceof SyncError && (error.code === 'BAD_PATH' || error.code === 'FILE_UNREADABLE' || error.code === 'PATH_CONFLICT') && typeof input === 'string') {
      const relative = input.slice(input.indexOf('/') + 1);
      // A well-formed path whose walk met a file (`instance/app.db-wal/x` beside a live WAL database) is refused by its name, as when
      // nothing stands there: "runs through a file" would have an operator remove the database's -wal to make way.
      const formOk = error.code !== 'BAD_PATH' || onlyFormWrong(input);
      if (input.includes('/') && formOk && policy.isDatabaseName(relative)) throw nameRefusal(policy, relative, input);
    }
    throw error;
  }
  await refuseLinkedDatabase(policy, target);
  return target;
}

/**
 * Refuses a path that a symbolic link inside the root leads to a database name
 * (`alias.txt -> store.db`, `jdir/x.txt` with `jdir -> app.db-journal`): the
 * name rules hold for the file behind a link as for the link, since a database
 * whose header does not give it away (SQLCipher's is random, an empty one has
 * none) is known by its name only. So is one it leads to the side file of a
 * database beside it, or into a folder under such a name (`store-journal/`).
 * A link to a database by content is refused as that (`DB_CONTENT_REFUSED`), as the routes refuse it.
 * @throws SyncError `DB_FILE_REFUSED` or `DB_CONTENT_REFUSED` (403)
 */
async function refuseLinkedDatabase(policy: FilePolicy, target: ResolvedSyncPath): Promise<void> {
  const { linked } = target;
  if (linked === undefined || linked === '') return;
  const clientPath = target.relative === '' ? target.root : `${target.root}/${target.relative}`;
  const leadsTo = `${shownPath(clientPath)} leads through a symbolic link to ${shownPath(`${target.root}/${linked}`)}`;
  if (await isDatabaseOnDisk(target.absolute)) throw databaseContentRefused(clientPath);
  if (namesTokenFile(linked)) throw new SyncError('DB_FILE_REFUSED', 403, `${leadsTo}, ${namesTokenFileCopy(linked) ? `${TOKEN_FILE_COPY}, ` : ''}${TOKEN_FILE_WHY}`);
  if (policy.isDatabaseName(linked)) {
    const pattern = policy.refusingPattern?.(linked);
    const what = pattern === undefined ? 'an SQLite database file name' : `which matches ${quotedName(pattern)}, one of this server's extraDatabasePatterns`;
    throw new SyncError('DB_FILE_REFUSED', 403, `${leadsTo}, ${what}; ${WHY}`);
  }
  if ((await databaseSideFolderOn(target.rootDir, linked, true)) !== undefined) {
    throw new SyncError('DB_CONTENT_REFUSED', 403, `${leadsTo}, the side file of an SQLite database (or a folder under such a name); ${WHY}`);
  }
}

/** True when `input` is a well-formed path once put in NFC and NTFS stream suffixes (`::$DATA`), then trailing dots and spaces, are dropped from its segments. */
function onlyFormWrong(input: string): boolean {
  try {
    parseSyncPath(
      input
        .normalize('NFC')
        .split('/')
        .map((segment) => segment.replace(/:.*$/s, '').replace(/[. ]+$/, '') || segment)
        .join('/'),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * The refusal of a file that is a database by its content or as the
 * `-wal`/`-shm`/`-journal`/`-syncmark` of one (`DB_CONTENT_REFUSED`, 403 by default,
 * 409 where a sync step met it on disk).
 */
export function databaseContentRefused(clientPath: string, status = 403): SyncError {
  return new SyncError('DB_CONTENT_REFUSED', status, `${shownPath(clientPath)} is an SQLite database by its content (or the -wal/-shm/-journal/-syncmark of one); ${WHY}, and a database on disk is never replaced or deleted`);
}

/**
 * The refusal of an upload whose bytes are an SQLite database, WAL or journal
 * (`DB_CONTENT_REFUSED`, 403): it names the path the file would have been
 * written to and, when it is not that path's last name, the file name the
 * client sent (the name alone told neither where nor which upload); each cut
 * after {@link refusalPath}'s 300 characters, as a refusal keeps a path.
 * @param clientPath - the target, `<root>/<path>`
 * @param fileName - the multipart part's `filename`
 */
export function uploadedDatabaseRefused(clientPath: string, fileName: string): SyncError {
  const lastName = clientPath.slice(clientPath.lastIndexOf('/') + 1);
  const sentAs = fileName === lastName || fileName === '' ? '' : ` (sent as ${quotedName(refusalPath(fileName))})`;
  return new SyncError('DB_CONTENT_REFUSED', 403, `the file uploaded to ${shownPath(refusalPath(clientPath))}${sentAs} is an SQLite database by its content (database, WAL or journal bytes); ${WHY}: nothing was written`);
}

/** A peer sent database bytes for a file (`PEER_SENT_DATABASE`, 502): nothing is written. */
export function peerSentDatabase(clientPath: string): SyncError {
  return new SyncError('PEER_SENT_DATABASE', 502, `the peer sent SQLite database content for ${clientPath}; refused, nothing written`);
}
