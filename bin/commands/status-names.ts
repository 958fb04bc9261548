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
});
type RootNames = Static<typeof RootNamesSchema>;
const rootNamesCheck = TypeCompiler.Compile(RootNamesSchema);

/** Names printed per root; the rest is counted. */
const SHOWN = 5;

/** The lines of one root: what is wrong, a few names with why, "… and N more". */
function rootLines(root: RootNames): string[] {
  if (root.unsyncableCount === 0) return [];
  const shown = root.unsyncable.slice(0, SHOWN).map((name) => oneLine(`    ${name.path}: ${name.reason}`));
  const more = Math.max(root.unsyncableCount, root.unsyncable.length) - shown.length;
  return [`! FILE NAMES NOT SYNCED in ${root.root} (${root.unsyncableCount}): no peer would take them; rename them`, ...shown, ...(more > 0 ? [`    … and ${more} more`] : [])];
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
