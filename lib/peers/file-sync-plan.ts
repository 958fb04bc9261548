import { heldCopies, redundantCopies } from '../files/conflict-copy-names';

export { conflictCopyPath, isConflictCopyOf } from '../files/conflict-copy-names';

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
   * Both sides changed the file since the last sync. The version kept
   * (`keep`: this side's, unless only this side's is already a conflict copy
   * of the path) ends at `path` on both sides, the other at `copyPath` on
   * both: an existing copy that holds those bytes (`newCopy` false), else a
   * new one. A version is never copied twice, nor copied while kept.
   */
  | {
      readonly kind: 'conflict';
      readonly path: string;
      readonly local: string;
      readonly remote: string;
      readonly keep: 'local' | 'remote';
      readonly copyPath: string;
      readonly newCopy: boolean;
    }
  /**
   * A conflict copy that holds nothing new: its bytes are at `keeper` (the
   * file it was named after, or an earlier copy) on both sides. It is deleted
   * on both, if both it and the keeper still hold `sha256` on both sides.
   */
  | { readonly kind: 'drop-copy'; readonly path: string; readonly sha256: string; readonly keeper: string };

/** The three views of one root: this side, the peer, and what both had after the last sync. */
export interface PlanInput {
  readonly local: ReadonlyMap<string, string>;
  readonly remote: ReadonlyMap<string, string>;
  readonly base: ReadonlyMap<string, string>;
  /** Names a new conflict copy of a path (see {@link conflictCopyPath}). */
  readonly copyPathFor: (path: string) => string;
  /**
   * True for a path a side holds as a symbolic link it does not sync, or that
   * lies under one (see `listManifest`): nothing is planned there, so neither
   * side deletes or overwrites what the link stands for. @defaultValue none
   */
  readonly leftOut?: (path: string) => boolean;
}

/** A test for {@link PlanInput.leftOut}: true for each of `paths` and every path under one. */
export function underAny(paths: readonly string[]): ((path: string) => boolean) | undefined {
  if (paths.length === 0) return undefined;
  const set = new Set(paths);
  return (path) => {
    for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) if (set.has(path.slice(0, end))) return true;
    return false;
  };
}

/** Decides a file both sides changed: which version stays at the path and where the other is kept. */
function decideConflict(path: string, local: string, remote: string, held: ReadonlyMap<string, string>, copyPathFor: (path: string) => string): FileAction {
  const localCopy = held.get(local);
  const remoteCopy = held.get(remote);
  if (localCopy !== undefined && remoteCopy === undefined) {
    // This version already lost a clash at this path (it is a copy): the peer's stays, as it did elsewhere.
    return { kind: 'conflict', path, local, remote, keep: 'remote', copyPath: localCopy, newCopy: false };
  }
  return { kind: 'conflict', path, local, remote, keep: 'local', copyPath: remoteCopy ?? copyPathFor(path), newCopy: remoteCopy === undefined };
}

/** Decides one path by a three-way comparison against the last synced state. */
function decide(path: string, local: Side, remote: Side, base: Side, conflict: (local: string, remote: string) => FileAction): FileAction {
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
  return conflict(local, remote);
}

/**
 * The paths a side wrote since the last sync (a new or changed file it lists)
 * that the plan leaves alone, at or under a symbolic link one side does not
 * sync (`leftOut`): they are not synced until the link is replaced. (That the
 * side holding the link lists nothing there is what the link means, not news.) Sorted.
 */
export function heldByLinks(input: PlanInput): string[] {
  const { leftOut } = input;
  if (leftOut === undefined) return [];
  const paths = new Set([...input.local.keys(), ...input.remote.keys()]);
  const wrote = (side: Side, base: Side): boolean => side !== undefined && side !== base;
  return [...paths].filter((path) => leftOut(path) && (wrote(input.local.get(path), input.base.get(path)) || wrote(input.remote.get(path), input.base.get(path)))).sort();
}

/**
 * Plans a two-way sync of one root. A change on one side is copied to the
 * other; a deletion propagates only when the other side had not changed the
 * file (a change wins over a deletion); a file changed on both sides since
 * the last sync is a conflict that keeps both versions, each once (see the
 * `conflict` action); a settled conflict copy whose bytes are kept elsewhere
 * in the same clash is dropped (`drop-copy`). Paths come out sorted.
 */
export function planFileSync(input: PlanInput): FileAction[] {
  const paths = new Set([...input.local.keys(), ...input.remote.keys(), ...input.base.keys()]);
  const { leftOut } = input;
  if (leftOut !== undefined) for (const path of paths) if (leftOut(path)) paths.delete(path);
  let candidates: string[] | undefined; // the names that may be conflict copies, listed at the first conflict
  const conflictAt = (path: string) => (local: string, remote: string): FileAction => {
    candidates ??= [...new Set([...input.local.keys(), ...input.remote.keys()])].filter((name) => name.includes('.sync-conflict-'));
    return decideConflict(path, local, remote, heldCopies(path, candidates, input.local, input.remote), input.copyPathFor);
  };
  const actions = [...paths].sort().map((path) => decide(path, input.local.get(path), input.remote.get(path), input.base.get(path), conflictAt(path)));
  const settled = new Map<string, string>();
  for (const action of actions) {
    if (action.kind === 'same' && action.sha256 !== undefined && input.base.get(action.path) === action.sha256) settled.set(action.path, action.sha256);
  }
  const redundant = redundantCopies(settled);
  return actions.map((action) => {
    const keeper = redundant.get(action.path);
    return keeper === undefined ? action : { kind: 'drop-copy', path: action.path, sha256: settled.get(action.path) as string, keeper };
  });
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
    case 'drop-copy':
      return [[action.path, undefined]];
    case 'conflict': {
      const [kept, copied] = action.keep === 'local' ? [action.local, action.remote] : [action.remote, action.local];
      return [
        [action.path, kept],
        [action.copyPath, copied],
      ];
    }
  }
}
