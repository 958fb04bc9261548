import { orNone } from './env-values';

/** The SYNC_ variables the sample app reads, but NATS's (nats-config.ts checks `SYNC_NATS_*`). */
const SYNC_VARIABLES = ['SYNC_TOKEN', 'SYNC_PEERS', 'SYNC_NAME', 'SYNC_INTERVAL_MS', 'SYNC_MAX_CLOCK_SKEW_MS', 'SYNC_PEER_CA'];

/** Edits (a letter added, removed or changed) between two short names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (const [i, letter] of [...a].entries()) {
    const row = [i + 1];
    for (const [j, other] of [...b].entries()) row.push(Math.min((previous[j + 1] ?? 0) + 1, (row[j] ?? 0) + 1, (previous[j] ?? 0) + (letter === other ? 0 : 1)));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The words of a SYNC_ name after `SYNC_` (`SYNC_MAX_CLOCK_SKEW_MS`: MAX, CLOCK, SKEW, MS). */
function wordsOf(name: string): string[] {
  return name.slice('SYNC_'.length).split('_').filter((word) => word !== '');
}

/**
 * The one variable whose words hold every word of `name`, in any order (`SYNC_CLOCK_SKEW_MS`,
 * `SYNC_MAX_SKEW_MS`, `SYNC_MS_INTERVAL`, `SYNC_CA`); none when `MS` is the only word or when two
 * variables would do.
 */
function holdingWordsOf(name: string): string | undefined {
  const words = wordsOf(name);
  if (words.length === 0 || words.every((word) => word === 'MS')) return undefined;
  const holders = SYNC_VARIABLES.filter((known) => words.every((word) => wordsOf(known).includes(word)));
  return holders.length === 1 ? holders[0] : undefined;
}

/** The variable `name` was most likely meant to be: one letter away, the start of its name, or some of its words. */
function meantBy(name: string): string | undefined {
  if (!name.startsWith('SYNC_') || name.startsWith('SYNC_NATS_') || SYNC_VARIABLES.includes(name)) return undefined;
  return SYNC_VARIABLES.find((known) => distance(name, known) <= 1) ?? SYNC_VARIABLES.find((known) => known.startsWith(name)) ?? holdingWordsOf(name);
}

/**
 * Refuses a set SYNC_ variable misspelled from one the app reads (`SYNC_PEER` for `SYNC_PEERS`,
 * `SYNC_INTERVAL` for `SYNC_INTERVAL_MS`, `SYNC_CLOCK_SKEW_MS` for `SYNC_MAX_CLOCK_SKEW_MS`): ignored, it left the app running alone or at another
 * interval than the operator set. Other SYNC_ names (another program's) are left alone.
 * @throws TypeError naming the variable and the one meant
 */
export function refuseMisspelledNames(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env).sort()) {
    const meant = orNone(env[name]) === undefined ? undefined : meantBy(name);
    if (meant !== undefined) throw new TypeError(`${name} is not a variable of the sample app: did you mean ${meant}? Rename it, or unset it`);
  }
}
