/** Printable ASCII: lower case is all the folding it needs. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Paths quoted per group at most. */
const GROUP_LIMIT = 10;

/**
 * Each folder's children (`''` for the root), from every path's segments:
 * a path shares its leading folders with the one before it (a manifest is
 * sorted), so only its new segments are added.
 */
function childrenByFolder(paths: readonly string[]): Map<string, Set<string>> {
  const children = new Map<string, Set<string>>();
  let previous: readonly string[] = [];
  for (const path of paths) {
    const segments = path.split('/');
    let shared = 0;
    while (shared < segments.length - 1 && shared < previous.length - 1 && segments[shared] === previous[shared]) shared += 1;
    let folder = segments.slice(0, shared).join('/');
    for (let index = shared; index < segments.length; index += 1) {
      const name = segments[index] as string;
      const names = children.get(folder) ?? new Set<string>();
      names.add(name);
      children.set(folder, names);
      folder = folder === '' ? name : `${folder}/${name}`;
    }
    previous = segments;
  }
  return children;
}

/**
 * A name as a case-insensitive disk may compare it: in NFC (a normalising disk holds `é` written
 * as one code point or as `e` and an accent as one name), then case-folded, lower, upper, then
 * lower case again, which is full case folding (as the database guard compares names) and more:
 * `ß`, `ẞ` and `SS` are `ss`; `Σ`, `σ` and a final `ς` one letter; the Kelvin sign `k`; the
 * ligature `ﬁ` is `fi`, the dotless `ı` is `i`. Over-reporting costs a rename, missing one a file
 * overwritten. An accent or a compatibility form (fullwidth `ａ`) still makes another name.
 */
function caseFolded(name: string): string {
  if (PLAIN_ASCII.test(name)) return name.toLowerCase(); // most names: nothing to normalise, and ASCII case is closed
  return name.normalize('NFC').toLowerCase().toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * The groups of paths that differ only in letter case (`Config.json` and
 * `config.json`; a file `Notes` and a folder `notes/`; folders `Photos/` and
 * `photos/`; `Straße`, `STRASSE`; a name in NFC and in NFD, compared as {@link caseFolded}
 * says): a case-insensitive disk (macOS, Windows) holds one path of each
 * group, so a server there overwrites one file with the other. A clash is
 * named where it is, between the names of one folder (two folders, not every
 * file under them); groups sorted, at most 10 paths each. Work is one pass
 * over the paths' new segments.
 * @param paths - a root's manifest paths, `/`-separated, sorted
 */
export function caseClashes(paths: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (const [folder, names] of childrenByFolder(paths)) {
    if (names.size < 2) continue;
    const byFolded = new Map<string, string[]>();
    for (const name of names) {
      const folded = caseFolded(name);
      const same = byFolded.get(folded);
      if (same === undefined) byFolded.set(folded, [name]);
      else same.push(name);
    }
    for (const same of byFolded.values()) {
      if (same.length > 1) groups.push(same.sort().slice(0, GROUP_LIMIT).map((name) => (folder === '' ? name : `${folder}/${name}`)));
    }
  }
  return groups.sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
}
