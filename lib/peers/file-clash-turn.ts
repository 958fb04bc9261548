import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../files/file-locks';
import { isConflictCopyOf } from './file-conflict-copies';
import type { FileAction } from './file-sync-plan';
import { localSide } from './file-transfer';

type Clash = Extract<FileAction, { kind: 'conflict' }>;

/**
 * A conflict copy of `clash.path` that holds the peer's version here now, made
 * since the plan by another peer's round that met the same clash (the first
 * in sort order); undefined when there is none.
 */
async function copyMadeMeanwhile(absolute: string, clash: Clash): Promise<string | undefined> {
  const folder = clash.path.slice(0, clash.path.lastIndexOf('/') + 1);
  const names = await readdir(path.dirname(absolute)).catch(() => []);
  for (const name of names.filter((each) => each.includes('.sync-conflict-')).sort()) {
    const candidate = `${folder}${name}`;
    if (isConflictCopyOf(clash.path, candidate) && (await localSide(path.join(path.dirname(absolute), name))) === clash.remote) return candidate;
  }
  return undefined;
}

/**
 * Runs the step of a clash at one path, one round at a time: several peers'
 * rounds run at once, and each planned the clash from the same scan. A step
 * that would make a new copy of the peer's version takes the copy of those
 * bytes another round made here meanwhile instead, so one clash leaves one
 * copy, as rounds one after another do.
 * @param absolute - where `clash.path` is here
 */
export async function withClashTurn(absolute: string, clash: Clash, step: (clash: Clash) => Promise<void>): Promise<void> {
  await withFileLock(`${absolute}\u0000clash`, async () => {
    const made = clash.newCopy && clash.keep === 'local' ? await copyMadeMeanwhile(absolute, clash) : undefined;
    await step(made === undefined ? clash : { ...clash, copyPath: made, newCopy: false });
  });
}
