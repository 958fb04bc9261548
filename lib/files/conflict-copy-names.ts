import { createHash } from 'node:crypto';

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

/** `~` and 8 hex characters of the SHA-256 of `name`: what ends a cut stem, so cut names stay apart. */
function cutTag(name: string): string {
  return `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** `stem` cut to fit `budget` bytes, ended with the {@link cutTag} of `name`. */
function shortenedStem(stem: string, name: string, budget: number): string {
  const tag = cutTag(name);
  return `${utf8Prefix(stem, Math.max(budget - tag.length, 0))}${tag}`;
}

/** The parts a conflict copy's name is made of: its folder, the name it copies, that name's stem and extension, and the marker. */
interface CopyParts {
  readonly folder: string;
  readonly name: string;
  readonly stem: string;
  readonly extension: string;
  readonly marker: string;
}

function copyParts(path: string, when: Date, siteId: string): CopyParts {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const date = `${when.getUTCFullYear()}${pad(when.getUTCMonth() + 1)}${pad(when.getUTCDate())}`;
  const time = `${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}`;
  const site = siteId.replace(/[^A-Za-z0-9]/g, '').slice(0, 7).toUpperCase() || 'PEER';
  const marker = `.sync-conflict-${date}-${time}-${site}`;
  const budget = MAX_NAME_BYTES - marker.length - 8 - 1; // room for the `~` tag of a cut stem
  const dot = name.lastIndexOf('.');
  const splitAt = dot > 0 && Buffer.byteLength(name.slice(dot), 'utf8') <= budget / 2 ? dot : name.length;
  return { folder: path.slice(0, slash + 1), name, stem: name.slice(0, splitAt), extension: name.slice(splitAt), marker };
}

/** The longest start of `text` that is at most `length` UTF-16 code units (as `MAX_PATH_LENGTH` counts), never cutting a character. */
function lengthPrefix(text: string, length: number): string {
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > length) break;
    kept += character;
  }
  return kept;
}

/**
 * The Syncthing-style name of a conflict copy:
 * `<dir>/<stem>.sync-conflict-<YYYYMMDD>-<HHMMSS>-<site>.<ext>` (UTC), where
 * `site` is the first seven characters of the losing side's site id. When
 * that name would be over 255 bytes, or the whole path over `maxLength`
 * characters (a deep folder: the path's limit less its root's name), the
 * stem is cut and ended with `~` and 8 hex characters of the name's SHA-256
 * (the extension is kept, unless it is itself too long); the same inputs
 * always give the same name. In a folder so deep that no stem fits, the
 * path given is over `maxLength`: the caller refuses it.
 * @param maxLength - most characters of the copy's path @defaultValue no bound but the name's 255 bytes
 */
export function conflictCopyPath(path: string, when: Date, siteId: string, maxLength = Number.POSITIVE_INFINITY): string {
  const { folder, name, stem, extension, marker } = copyParts(path, when, siteId);
  const plain = `${folder}${stem}${marker}${extension}`;
  if (Buffer.byteLength(`${stem}${marker}${extension}`, 'utf8') <= MAX_NAME_BYTES && plain.length <= maxLength) return plain;
  const cut = shortenedStem(stem, name, MAX_NAME_BYTES - marker.length - Buffer.byteLength(extension, 'utf8'));
  const fitted = `${folder}${cut}${marker}${extension}`;
  if (fitted.length <= maxLength) return fitted;
  const tag = cutTag(name);
  const kept = lengthPrefix(stem, maxLength - (fitted.length - cut.length) - tag.length);
  return `${folder}${kept}${tag}${marker}${extension}`;
}

/**
 * {@link conflictCopyPath} at `when`, or at the first second after it whose
 * name `taken` does not hold: a second clash of one path within the same
 * second (two rounds close together) gets a copy of its own, not a refused
 * write over the first one's.
 */
export function freeConflictCopyPath(path: string, when: Date, siteId: string, maxLength: number, taken: (candidate: string) => boolean): string {
  for (let seconds = 0; seconds < 3600; seconds += 1) {
    const candidate = conflictCopyPath(path, new Date(when.getTime() + seconds * 1000), siteId, maxLength);
    if (!taken(candidate)) return candidate;
  }
  return conflictCopyPath(path, when, siteId, maxLength);
}

/** Where the marker of a conflict copy's name starts, and what it holds. */
const MARKER = /\.sync-conflict-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-([A-Z0-9]{1,7})(?=\.|$)/;

/**
 * True when the file name at the end of `path` carries a conflict copy's
 * marker (`.sync-conflict-<YYYYMMDD>-<HHMMSS>-<site>`, then its extension or
 * nothing), as {@link conflictCopyPath} writes it.
 */
export function isConflictCopyName(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const at = name.lastIndexOf('.sync-conflict-');
  return at >= 0 && MARKER.exec(name.slice(at))?.index === 0;
}

/**
 * True when `candidate` is a name {@link conflictCopyPath} gives to a
 * conflict copy of `path` (any time, any site, any bound on its length): its
 * marker is read back and the name made again from it must be `candidate`
 * exactly, or its cut form: a start of the stem, then the `~` tag of the name.
 */
export function isConflictCopyOf(path: string, candidate: string): boolean {
  const at = candidate.lastIndexOf('.sync-conflict-');
  if (at < 0 || candidate === path) return false;
  const found = MARKER.exec(candidate.slice(at));
  if (found?.index !== 0) return false;
  const [year, month, day, hours, minutes, seconds] = found.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const when = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  if (conflictCopyPath(path, when, found[7] ?? '') === candidate) return true;
  const { folder, name, stem, extension, marker } = copyParts(path, when, found[7] ?? '');
  const tail = `${cutTag(name)}${marker}${extension}`;
  if (!candidate.startsWith(folder) || !candidate.endsWith(tail)) return false;
  const kept = candidate.slice(folder.length, candidate.length - tail.length);
  return kept.length < stem.length && stem.startsWith(kept);
}

/**
 * The conflict copies of `path` that either side holds, as content → copy
 * name: a copy counts when both sides hold the same bytes there, or one side
 * only holds it. Of copies with the same bytes, the first name in sort order
 * is given, so every server names the same one.
 */
export function heldCopies(path: string, candidates: readonly string[], local: ReadonlyMap<string, string>, remote: ReadonlyMap<string, string>): Map<string, string> {
  const held = new Map<string, string>();
  for (const name of [...candidates].sort()) {
    if (!isConflictCopyOf(path, name)) continue;
    const [here, there] = [local.get(name), remote.get(name)];
    const content = here === undefined || there === undefined || here === there ? (here ?? there) : undefined;
    if (content !== undefined && !held.has(content)) held.set(content, name);
  }
  return held;
}

/**
 * The path a conflict copy was named after: the copy's name without its
 * marker when `paths` holds it, else (a stem that was cut) the path of its
 * folder in `paths` it copies; when none is there, the name without the
 * marker if the copy could be named after it; else undefined (not a conflict
 * copy's name).
 */
export function conflictCopyOrigin(copy: string, paths: readonly string[]): string | undefined {
  const at = copy.lastIndexOf('.sync-conflict-');
  const found = MARKER.exec(copy.slice(at));
  if (at < 0 || found?.index !== 0) return undefined;
  const plain = `${copy.slice(0, at)}${copy.slice(at + found[0].length)}`;
  // A cut copy's name without its marker is no file (`<start>~<tag>.ext`): the file it was named after is looked for first.
  if (paths.includes(plain) && isConflictCopyOf(plain, copy)) return plain;
  const folder = copy.slice(0, copy.lastIndexOf('/') + 1);
  // Only a cut name (`<start>~<tag><marker>`) can be named after a file other than `plain`: one in the
  // copy's own folder whose name starts with that start. Looked at first, so that the hash of the
  // full check runs for those few, not for every path of the root (seconds for 100,000 paths).
  const cut = /~[0-9a-f]{8}$/.exec(copy.slice(folder.length, at));
  const start = cut === null ? undefined : `${folder}${copy.slice(folder.length, at - cut[0].length)}`;
  const origin = start === undefined ? undefined : paths.find((path) => path !== copy && path.startsWith(start) && !path.includes('/', folder.length) && isConflictCopyOf(path, copy));
  return origin ?? (isConflictCopyOf(plain, copy) ? plain : undefined);
}

/**
 * The conflict copies that hold nothing new, as copy → keeper: the bytes of
 * the file they were named after, or of a copy of it earlier in sort order.
 * Only `settled` paths count (both sides hold the same bytes, as they did
 * after the last sync), so a copy is let go of only when its bytes stay at
 * the keeper on both sides. Syncs that met one clash at the same time on
 * several servers leave such copies; this is how they end.
 */
export function redundantCopies(settled: ReadonlyMap<string, string>): Map<string, string> {
  const paths = [...settled.keys()];
  const groups = new Map<string, string[]>();
  for (const copy of paths.filter((path) => path.includes('.sync-conflict-')).sort()) {
    const origin = conflictCopyOrigin(copy, paths);
    if (origin !== undefined) groups.set(origin, [...(groups.get(origin) ?? []), copy]);
  }
  const redundant = new Map<string, string>();
  for (const [origin, copies] of groups) {
    const keepers = new Map<string, string>();
    const originContent = settled.get(origin);
    if (originContent !== undefined) keepers.set(originContent, origin);
    for (const copy of copies) {
      const content = settled.get(copy) as string;
      const keeper = keepers.get(content);
      if (keeper === undefined) keepers.set(content, copy);
      else redundant.set(copy, keeper);
    }
  }
  return redundant;
}
