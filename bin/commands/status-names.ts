import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { oneLine } from './remote';

const Text = Type.String({ maxLength: 65536 });
const Count = Type.Integer({ minimum: 0 });

/** One root of `/status`'s `fileNameProblems`, as `status` prints it (servers before it leave the field out). */
const RootNamesSchema = Type.Object({
  root: Text,
  unsyncableCount: Count,
  unsyncable: Type.Array(Type.Object({ path: Text, reason: Text }), { maxItems: 1000 }),
  caseClashCount: Type.Optional(Count),
  caseClashes: Type.Optional(Type.Array(Type.Array(Text, { maxItems: 1000 }), { maxItems: 1000 })),
});
type RootNames = Static<typeof RootNamesSchema>;
const rootNamesCheck = TypeCompiler.Compile(RootNamesSchema);

/** Names printed per root; the rest is counted. */
const SHOWN = 5;

/** `lines`, at most {@link SHOWN}, then "… and N more" of `total`. */
function bounded(lines: readonly string[], total: number): string[] {
  const shown = lines.slice(0, SHOWN);
  const more = Math.max(total, lines.length) - shown.length;
  return more > 0 ? [...shown, `    … and ${more} more`] : shown;
}

/** The lines of one root: the names left out, a few with why; the paths differing only in case, a few groups; each "… and N more". */
function rootLines(root: RootNames): string[] {
  const lines: string[] = [];
  if (root.unsyncableCount > 0) {
    lines.push(`! FILE NAMES NOT SYNCED in ${root.root} (${root.unsyncableCount}): no peer would take them; rename them`);
    lines.push(...bounded(root.unsyncable.map((name) => oneLine(`    ${name.path}: ${name.reason}`)), root.unsyncableCount));
  }
  const clashes = root.caseClashes ?? [];
  const clashCount = root.caseClashCount ?? clashes.length;
  if (clashCount > 0) {
    lines.push(`! NAMES DIFFERING ONLY IN CASE in ${root.root} (${clashCount}): a Mac or Windows server keeps one of each and overwrites the other; rename all but one`);
    lines.push(...bounded(clashes.map((group) => oneLine(`    ${group.join('  ·  ')}`)), clashCount));
  }
  return lines;
}

/**
 * What `/status` says of file names left out of sync (`fileNameProblems`), for `status`;
 * nothing for a server that reports none (or an entry it does not understand).
 */
export function fileNameLines(status: unknown): string[] {
  const list = (status as { fileNameProblems?: unknown } | null)?.fileNameProblems;
  if (!Array.isArray(list)) return [];
  return list.filter((entry): entry is RootNames => rootNamesCheck.Check(entry)).flatMap(rootLines);
}

/** One root of `/status`'s `fileConflictCopies`, as `status` prints it (servers before it leave the field out). */
const RootCopiesSchema = Type.Object({
  root: Text,
  count: Count,
  copies: Type.Array(Type.Object({ path: Type.Union([Text, Type.Null()]), copyPath: Text }), { maxItems: 1000 }),
});
type RootCopies = Static<typeof RootCopiesSchema>;
const rootCopiesCheck = TypeCompiler.Compile(RootCopiesSchema);

/** The lines of one root's conflict copies: how many, then a few, each with the file it was named after. */
function copyLines(root: RootCopies): string[] {
  const lines = [`! CONFLICT COPIES in ${root.root} (${root.count}): a file changed on two servers, both versions kept; keep the one you want, delete the other`];
  const listed = root.copies.map((copy) => oneLine(copy.path === null ? `    ${copy.copyPath} (the file it copies is gone)` : `    ${copy.copyPath}: another version of ${copy.path}`));
  return [...lines, ...bounded(listed, root.count)];
}

/**
 * What `/status` says of conflict copies on disk (`fileConflictCopies`), for `status`;
 * nothing for a server that reports none (or an entry it does not understand).
 */
export function conflictCopyLines(status: unknown): string[] {
  const list = (status as { fileConflictCopies?: unknown } | null)?.fileConflictCopies;
  if (!Array.isArray(list)) return [];
  return list.filter((entry): entry is RootCopies => rootCopiesCheck.Check(entry)).flatMap(copyLines);
}
