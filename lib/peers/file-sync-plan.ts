import { createHash } from 'node:crypto';

/** What one side has at a path: its SHA-256, or undefined when the file is absent. */
export type Side = string | undefined;

/** One step that brings a path to the same content on both sides. */
export type FileAction =
  /** Both sides already agree; only the base is recorded. */
  | { readonly kind: 'same'; readonly path: string; readonly sha256: Side }
  /** Send the local file; the remote must still be `remote` (sha, or absent). */
  | { readonly kind: 'upload'; readonly path: string; readonly local: string; readonly remote: Side }
  /** Fetch the remote file; the local side must still be `local`. */
  | { readonly kind: 'download'; readonly path: string; readonly remote: string; readonly local: Side }
  /** The remote side deleted an unchanged file: delete it here too, if still `local`. */
  | { readonly kind: 'delete-local'; readonly path: string; readonly local: string }
  /** This side deleted an unchanged file: delete it there too, if still `remote`. */
  | { readonly kind: 'delete-remote'; readonly path: string; readonly remote: string }
  /**
   * Both sides changed the file since the last sync. The local version stays
   * at `path` on both sides; the remote version is kept as `copyPath` on both.
   */
  | { readonly kind: 'conflict'; readonly path: string; readonly local: string; readonly remote: string; readonly copyPath: string };

/** The three views of one root: this side, the peer, and what both had after the last sync. */
export interface PlanInput {
  readonly local: ReadonlyMap<string, string>;
  readonly remote: ReadonlyMap<string, string>;
  readonly base: ReadonlyMap<string, string>;
  /** Names the conflict copy of a path (see {@link conflictCopyPath}). */
  readonly copyPathFor: (path: string) => string;
}

/** Decides one path by a three-way comparison against the last synced state. */
function decide(path: string, local: Side, remote: Side, base: Side, copyPathFor: (path: string) => string): FileAction {
  if (local === remote) return { kind: 'same', path, sha256: local };
  if (remote === undefined) {
    // Present here only: new or changed here → send; unchanged here and deleted there → delete.
    return local === base && local !== undefined ? { kind: 'delete-local', path, local } : { kind: 'upload', path, local: local as string, remote };
  }
  if (local === undefined) {
    return remote === base ? { kind: 'delete-remote', path, remote } : { kind: 'download', path, remote, local };
  }
  if (local === base) return { kind: 'download', path, remote, local };
  if (remote === base) return { kind: 'upload', path, local, remote };
  return { kind: 'conflict', path, local, remote, copyPath: copyPathFor(path) };
}

/**
 * Plans a two-way sync of one root. A change on one side is copied to the
 * other; a deletion propagates only when the other side had not changed the
 * file (a change wins over a deletion); a file changed on both sides since
 * the last sync is a conflict that keeps both versions. Paths come out sorted.
 */
export function planFileSync(input: PlanInput): FileAction[] {
  const paths = new Set([...input.local.keys(), ...input.remote.keys(), ...input.base.keys()]);
  return [...paths]
    .sort()
    .map((path) => decide(path, input.local.get(path), input.remote.get(path), input.base.get(path), input.copyPathFor));
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Longest file name, in UTF-8 bytes, that a path may hold (as `MAX_SEGMENT_BYTES`). */
const MAX_NAME_BYTES = 255;

/** The longest start of `text` that is at most `bytes` bytes of UTF-8, never cutting a character. */
function utf8Prefix(text: string, bytes: number): string {
  let kept = '';
  for (const character of text) {
    if (Buffer.byteLength(kept + character, 'utf8') > bytes) break;
    kept += character;
  }
  return kept;
}

/** `stem` cut to fit `budget` bytes, ended with `~` and 8 hex characters of the SHA-256 of `name` so cut names stay apart. */
function shortenedStem(stem: string, name: string, budget: number): string {
  const tag = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${utf8Prefix(stem, Math.max(budget - tag.length - 1, 0))}~${tag}`;
}

/**
 * The Syncthing-style name of a conflict copy:
 * `<dir>/<stem>.sync-conflict-<YYYYMMDD>-<HHMMSS>-<site>.<ext>` (UTC), where
 * `site` is the first seven characters of the losing side's site id. When
 * that name would be over 255 bytes, the stem is cut and ended with `~` and
 * 8 hex characters of the name's SHA-256 (the extension is kept, unless it
 * is itself too long); the same inputs always give the same name.
 */
export function conflictCopyPath(path: string, when: Date, siteId: string): string {
  const slash = path.lastIndexOf('/');
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const date = `${when.getUTCFullYear()}${pad(when.getUTCMonth() + 1)}${pad(when.getUTCDate())}`;
  const time = `${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}`;
  const site = siteId.replace(/[^A-Za-z0-9]/g, '').slice(0, 7).toUpperCase() || 'PEER';
  const marker = `.sync-conflict-${date}-${time}-${site}`;
  const budget = MAX_NAME_BYTES - marker.length - 8 - 1; // room for the `~` tag of a cut stem
  const dot = name.lastIndexOf('.');
  const splitAt = dot > 0 && Buffer.byteLength(name.slice(dot), 'utf8') <= budget / 2 ? dot : name.length;
  const [stem, extension] = [name.slice(0, splitAt), name.slice(splitAt)];
  if (Buffer.byteLength(`${stem}${marker}${extension}`, 'utf8') <= MAX_NAME_BYTES) return `${folder}${stem}${marker}${extension}`;
  const cut = shortenedStem(stem, name, MAX_NAME_BYTES - marker.length - Buffer.byteLength(extension, 'utf8'));
  return `${folder}${cut}${marker}${extension}`;
}

/** The base state after an action succeeded: what both sides now hold at each touched path. */
export function settledState(action: FileAction): ReadonlyArray<readonly [string, Side]> {
  switch (action.kind) {
    case 'same':
      return [[action.path, action.sha256]];
    case 'upload':
      return [[action.path, action.local]];
    case 'download':
      return [[action.path, action.remote]];
    case 'delete-local':
    case 'delete-remote':
      return [[action.path, undefined]];
    case 'conflict':
      return [
        [action.path, action.local],
        [action.copyPath, action.remote],
      ];
  }
}
