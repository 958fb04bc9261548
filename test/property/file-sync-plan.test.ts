import fc from 'fast-check';
import { isSyncableName } from '../../lib/files/safe-path';
import { conflictCopyPath, isConflictCopyOf, planFileSync, settledState, type FileAction } from '../../lib/peers/file-sync-plan';

type Tree = Map<string, string>;

/** Applies a plan to in-memory trees the way the executor does on disk. */
function apply(actions: readonly FileAction[], local: Tree, remote: Tree): void {
  for (const action of actions) {
    switch (action.kind) {
      case 'same':
        break;
      case 'upload':
        remote.set(action.path, action.local);
        break;
      case 'download':
        local.set(action.path, action.remote);
        break;
      case 'delete-local':
        local.delete(action.path);
        break;
      case 'delete-remote':
        remote.delete(action.path);
        break;
      case 'drop-copy':
        local.delete(action.path);
        remote.delete(action.path);
        break;
      case 'conflict': {
        const [kept, copied] = action.keep === 'local' ? [action.local, action.remote] : [action.remote, action.local];
        for (const side of [local, remote]) {
          side.set(action.copyPath, copied);
          side.set(action.path, kept);
        }
        break;
      }
    }
  }
}

const PATHS = ['a.txt', 'b/c.json', 'd'];
const version = fc.constantFrom('v1', 'v2', 'v3');
const tree = fc.dictionary(fc.constantFrom(...PATHS), version, { maxKeys: 3 }).map((record) => new Map(Object.entries(record)));
const copyPathFor = (path: string): string => conflictCopyPath(path, new Date(Date.UTC(2026, 10, 26, 12, 0, 0)), 'abcdef0123');

describe('file sync plan (property)', () => {
  it('leaves both sides equal, keeps every changed version, and settles the base to what both hold', () => {
    fc.assert(
      fc.property(tree, tree, tree, (base, localStart, remoteStart) => {
        const local = new Map(localStart);
        const remote = new Map(remoteStart);
        const actions = planFileSync({ local, remote, base, copyPathFor });
        apply(actions, local, remote);
        expect(local).toEqual(remote);
        // No version that differs from the base is lost: it is at its path or in a conflict copy.
        for (const [path, sha] of [...localStart, ...remoteStart]) {
          if (base.get(path) === sha) continue;
          const kept = local.get(path) === sha || [...local].some(([other, value]) => other.startsWith(path.replace(/\.[^.]*$/, '')) && other.includes('.sync-conflict-') && value === sha);
          expect(kept).toBe(true);
        }
        // The settled base is exactly what both sides now hold at every touched path.
        for (const action of actions) {
          for (const [path, sha] of settledState(action)) expect(local.get(path)).toBe(sha);
        }
        // A second plan against the settled base does nothing.
        const settledBase = new Map<string, string>();
        for (const [path, sha] of local) settledBase.set(path, sha);
        expect(planFileSync({ local, remote, base: settledBase, copyPathFor }).every((action) => action.kind === 'same')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('propagates a deletion only when the other side had not changed the file', () => {
    expect(planFileSync({ local: new Map(), remote: new Map([['a', 'v1']]), base: new Map([['a', 'v1']]), copyPathFor })).toEqual([
      { kind: 'delete-remote', path: 'a', remote: 'v1' },
    ]);
    expect(planFileSync({ local: new Map(), remote: new Map([['a', 'v2']]), base: new Map([['a', 'v1']]), copyPathFor })).toEqual([
      { kind: 'download', path: 'a', remote: 'v2', local: undefined },
    ]);
  });

  it('names conflict copies as Syncthing does', () => {
    const when = new Date(Date.UTC(2026, 10, 26, 9, 5, 3));
    expect(conflictCopyPath('pits/robot.jpg', when, 'f3a9c1d2e4b5')).toBe('pits/robot.sync-conflict-20261126-090503-F3A9C1D.jpg');
    expect(conflictCopyPath('README', when, 'ab')).toBe('README.sync-conflict-20261126-090503-AB');
    expect(conflictCopyPath('.env', when, 'site1234')).toBe('.env.sync-conflict-20261126-090503-SITE123');
  });

  it('names the conflict copy of any legal name, up to 255 bytes, with a legal name of the same extension, the same each time', () => {
    const when = new Date(Date.UTC(2026, 10, 26, 9, 5, 3));
    const character = fc.constantFrom('n', 'é', '漢', '😀', '-', '_');
    const legalName = fc
      .tuple(fc.array(character, { minLength: 1, maxLength: 250, size: 'max' }).map((chars) => chars.join('')), fc.constantFrom('', '.json', '.jpg', `.${'x'.repeat(120)}`))
      .map(([stem, extension]) => `${stem}${extension}`)
      .filter((name) => Buffer.byteLength(name, 'utf8') <= 255 && isSyncableName(name));
    fc.assert(
      fc.property(legalName, fc.constantFrom('deep/er/', ''), (name, folder) => {
        const copy = conflictCopyPath(`${folder}${name}`, when, 'f3a9c1d2e4b5');
        expect(copy.startsWith(folder)).toBe(true);
        const copyName = copy.slice(folder.length);
        expect(Buffer.byteLength(copyName, 'utf8')).toBeLessThanOrEqual(255);
        expect(isSyncableName(copyName)).toBe(true);
        expect(copyName).toContain('.sync-conflict-20261126-090503-F3A9C1D');
        expect(conflictCopyPath(`${folder}${name}`, when, 'f3a9c1d2e4b5')).toBe(copy);
        if (name.endsWith('.json') || name.endsWith('.jpg')) expect(copyName.endsWith(name.slice(name.lastIndexOf('.')))).toBe(true);
      }),
    );
  });

  it('fits a copy in a deep folder to the path bound when a cut stem can, and it stays a copy of its file', () => {
    const when = new Date(Date.UTC(2026, 10, 26, 9, 5, 3));
    const character = fc.constantFrom('n', 'é', '漢', '😀', '-');
    const stem = fc.array(character, { minLength: 1, maxLength: 200 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(stem, fc.constantFrom('', '.jpg', '.json'), fc.integer({ min: 0, max: 900 }), fc.integer({ min: 60, max: 1100 }), (base, extension, depth, maxLength) => {
        const folder = depth === 0 ? '' : `${'d'.repeat(Math.min(depth, 200))}/`.repeat(Math.ceil(depth / 200));
        const path = `${folder}${base}${extension}`;
        const copy = conflictCopyPath(path, when, 'f3a9c1d2e4b5', maxLength);
        expect(copy.startsWith(folder)).toBe(true);
        expect(Buffer.byteLength(copy.slice(folder.length), 'utf8')).toBeLessThanOrEqual(255);
        expect(isSyncableName(copy.slice(folder.length))).toBe(true);
        expect(isConflictCopyOf(path, copy)).toBe(true);
        if (copy.length > maxLength) expect(`${folder}~12345678.sync-conflict-20261126-090503-F3A9C1D${extension}`.length).toBeGreaterThan(maxLength);
        expect(conflictCopyPath(path, when, 'f3a9c1d2e4b5', maxLength)).toBe(copy);
      }),
    );
  });
});
