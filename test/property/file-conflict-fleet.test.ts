import fc from 'fast-check';
import { conflictCopyPath, isConflictCopyOf, planFileSync, settledState, type FileAction } from '../../lib/peers/file-sync-plan';

type Tree = Map<string, string>;

/** Applies a plan to in-memory trees the way the executor does on disk. */
function apply(actions: readonly FileAction[], local: Tree, remote: Tree): void {
  for (const action of actions) {
    if (action.kind === 'upload') remote.set(action.path, action.local);
    if (action.kind === 'download') local.set(action.path, action.remote);
    if (action.kind === 'delete-local') local.delete(action.path);
    if (action.kind === 'delete-remote' || action.kind === 'drop-copy') remote.delete(action.path);
    if (action.kind === 'drop-copy') local.delete(action.path);
    if (action.kind === 'conflict') {
      for (const [path, sha] of settledState(action)) for (const side of [local, remote]) side.set(path, sha as string);
    }
  }
}

/** A fleet in memory: each server's files and the base it keeps per peer, synced pair by pair. */
class Fleet {
  readonly trees: Tree[];
  readonly #bases = new Map<string, Tree>();
  #clock = 0;
  newCopies = 0;

  constructor(contents: readonly string[], size: number) {
    this.trees = Array.from({ length: size }, (_, index) => new Map(contents[index] === undefined ? [] : [['pit/t1.jpg', contents[index] as string]]));
  }

  /** One sync started by `from` with `to`; true when it changed a file. */
  sync(from: number, to: number): boolean {
    const key = `${from}>${to}`;
    const base = this.#bases.get(key) ?? new Map<string, string>();
    const [local, remote] = [this.trees[from] as Tree, this.trees[to] as Tree];
    const when = new Date(Date.UTC(2026, 10, 26, 12, 0, (this.#clock += 1)));
    const actions = planFileSync({ local, remote, base, copyPathFor: (path) => conflictCopyPath(path, when, `site${to}`) });
    apply(actions, local, remote);
    for (const action of actions) for (const [path, sha] of settledState(action)) if (sha === undefined) base.delete(path); else base.set(path, sha);
    this.#bases.set(key, base);
    this.newCopies += actions.filter((action) => action.kind === 'conflict' && action.newCopy).length;
    return actions.some((action) => action.kind !== 'same');
  }
}

const pairs = (size: number): Array<[number, number]> => Array.from({ length: size * size }, (_, i): [number, number] => [Math.floor(i / size), i % size]).filter(([a, b]) => a !== b);

describe('one clash synced pair by pair among three servers (property)', () => {
  it.each([
    ['two versions', ['q1', 'q2']],
    ['three versions', ['q1', 'q2', 'q3']],
  ])('%s: in any order of syncs, every server ends with the same files, each version once, one copy made per version that lost', (_what, contents) => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pairs(3)), { maxLength: 10 }), (order) => {
        const fleet = new Fleet(contents, 3);
        for (const [from, to] of order) fleet.sync(from, to);
        let rounds = 0;
        while (pairs(3).map(([from, to]) => fleet.sync(from, to)).some(Boolean)) expect((rounds += 1)).toBeLessThan(10);
        const [first] = fleet.trees;
        for (const tree of fleet.trees) expect([...tree].sort()).toEqual([...(first as Tree)].sort());
        const held = [...(first as Tree).values()];
        expect(held.sort()).toEqual([...contents].sort());
        for (const name of (first as Tree).keys()) if (name !== 'pit/t1.jpg') expect(isConflictCopyOf('pit/t1.jpg', name)).toBe(true);
        expect(fleet.newCopies).toBe(contents.length - 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isConflictCopyOf', () => {
  const when = new Date(Date.UTC(2026, 10, 26, 9, 5, 3));
  const long = `${'n'.repeat(240)}.jpg`;
  it.each([
    ['a copy in a folder', 'pit/robot.jpg', conflictCopyPath('pit/robot.jpg', when, 'f3a9c1d2e4b5'), true],
    ['a copy of a name without extension', 'README', conflictCopyPath('README', when, 'ab'), true],
    ['a copy of a dot file', '.env', conflictCopyPath('.env', when, 'site1234'), true],
    ['a copy whose stem was cut', long, conflictCopyPath(long, when, 'f3a9c1d2e4b5'), true],
    ['a copy of another file', 'pit/robot.jpg', conflictCopyPath('pit/other.jpg', when, 'f3a9c1d2e4b5'), false],
    ['a copy in another folder', 'pit/robot.jpg', conflictCopyPath('robot.jpg', when, 'f3a9c1d2e4b5'), false],
    ['a month 13', 'pit/robot.jpg', 'pit/robot.sync-conflict-20261326-090503-F3A9C1D.jpg', false],
    ['a site in lower case', 'pit/robot.jpg', 'pit/robot.sync-conflict-20261126-090503-f3a9c1d.jpg', false],
    ['the file itself', 'pit/robot.jpg', 'pit/robot.jpg', false],
  ])('%s: %#', (_what, path, candidate, expected) => {
    expect(isConflictCopyOf(path, candidate)).toBe(expected);
  });
  it('knows a copy of a copy from a copy of the file', () => {
    const copy = conflictCopyPath('pit/robot.jpg', when, 'aaaaaaa');
    const copyOfCopy = conflictCopyPath(copy, when, 'bbbbbbb');
    expect(isConflictCopyOf(copy, copyOfCopy)).toBe(true);
    expect(isConflictCopyOf('pit/robot.jpg', copyOfCopy)).toBe(false);
  });
});
