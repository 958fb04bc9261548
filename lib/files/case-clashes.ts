/** Paths quoted per group at most. */
const GROUP_LIMIT = 10;

/** A path's every prefix: `a/b/c` → `a`, `a/b`, `a/b/c`. */
function prefixesOf(path: string): string[] {
  const segments = path.split('/');
  return segments.map((_, index) => segments.slice(0, index + 1).join('/'));
}

/**
 * The groups of paths that differ only in letter case (`Config.json` and
 * `config.json`; a file `Notes` and a folder `notes/`; folders `Photos/` and
 * `photos/`): a case-insensitive disk (macOS, Windows) holds one path of each
 * group, so a server there overwrites one file with the other. Each clash is
 * named at its shallowest level (two folders, not every file under them);
 * groups sorted, at most 10 paths each.
 * @param paths - a root's manifest paths, `/`-separated
 */
export function caseClashes(paths: readonly string[]): string[][] {
  const byFolded = new Map<string, Set<string>>();
  for (const path of paths) {
    for (const prefix of prefixesOf(path)) {
      const folded = prefix.toLowerCase();
      const exact = byFolded.get(folded) ?? new Set<string>();
      exact.add(prefix);
      byFolded.set(folded, exact);
    }
  }
  const clashing = new Set([...byFolded].filter(([, exact]) => exact.size > 1).map(([folded]) => folded));
  const groups: string[][] = [];
  for (const folded of clashing) {
    if (prefixesOf(folded).slice(0, -1).some((above) => clashing.has(above))) continue; // named by its folder's clash
    groups.push([...(byFolded.get(folded) ?? [])].sort().slice(0, GROUP_LIMIT));
  }
  return groups.sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
}
