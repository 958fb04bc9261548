import { orNone } from './env-values';
import { NATS_VARIABLES } from './nats-config';

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

/** A known variable one letter away from `name`, or starting with it (`SYNC_PEER`, `SYNC_INTERVAL`). */
function nearName(name: string): string | undefined {
  return SYNC_VARIABLES.find((known) => distance(name, known) <= 1) ?? SYNC_VARIABLES.find((known) => known.startsWith(name));
}

/**
 * The variable whose name (or one a letter away from it) `name` starts with, a word or more
 * following (`SYNC_PEERS_URL`, `SYNC_PEER_URL`, `SYNC_TOKEN_FILE`, `SYNC_PEER_CA_FILE`): the longest
 * such start wins (`SYNC_PEER_CA_FILE` is `SYNC_PEER_CA`, not `SYNC_PEERS`).
 */
function withMoreWords(name: string): string | undefined {
  const words = wordsOf(name);
  for (let count = words.length - 1; count >= 1; count -= 1) {
    const start = `SYNC_${words.slice(0, count).join('_')}`;
    const meant = SYNC_VARIABLES.includes(start) ? start : SYNC_VARIABLES.find((known) => distance(start, known) <= 1);
    if (meant !== undefined) return meant;
  }
  return undefined;
}

/**
 * The variable `name` was most likely meant to be: one it reads written in other letter case
 * (`sync_peers`), one letter away, the start of its name, or some of its words.
 */
function meantBy(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (!upper.startsWith('SYNC_')) return undefined;
  if (SYNC_VARIABLES.includes(upper) || NATS_VARIABLES.includes(upper)) return name === upper ? undefined : upper;
  if (upper.startsWith('SYNC_NATS_')) return undefined; // nats-config.ts names the NATS variables
  return nearName(upper) ?? holdingWordsOf(upper);
}

/**
 * Refuses a set SYNC_ variable misspelled from one the app reads (`SYNC_PEER` for `SYNC_PEERS`,
 * `SYNC_INTERVAL` for `SYNC_INTERVAL_MS`, `SYNC_CLOCK_SKEW_MS` for `SYNC_MAX_CLOCK_SKEW_MS`, `sync_peers`
 * for `SYNC_PEERS`): ignored, it left the app running alone or at another
 * interval than the operator set. Other SYNC_ names are left to {@link unreadSyncNames}.
 * @throws TypeError naming the variable and the one meant
 */
export function refuseMisspelledNames(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env).sort()) {
    const meant = orNone(env[name]) === undefined ? undefined : meantBy(name);
    if (meant !== undefined) throw new TypeError(`${name} is not a variable of the sample app: did you mean ${meant}? Rename it, or unset it`);
  }
}

/** A SYNC_ variable set that the app does not read, with the one it most likely stands for. */
export interface UnreadVariable {
  readonly name: string;
  /** The variable its name starts with (`SYNC_PEERS` for `SYNC_PEERS_URL`); none when no name is close. */
  readonly meant: string | undefined;
}

/**
 * The SYNC_ variables set (not blank) that the app does not read and {@link refuseMisspelledNames}
 * let through (`SYNC_PEERS_URL`, `SYNC_TOKEN_FILE`, `SYNC_URL`: another program's, or a guess at a
 * name), sorted, each with the variable it most likely stands for: the start names them (banner and
 * log), since the operator who set one expects it to do something.
 */
export function unreadSyncNames(env: NodeJS.ProcessEnv): UnreadVariable[] {
  return Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith('SYNC_') && !SYNC_VARIABLES.includes(name) && !NATS_VARIABLES.includes(name) && orNone(env[name]) !== undefined)
    .sort()
    .map((name) => ({ name, meant: withMoreWords(name.toUpperCase()) }));
}

/** The SYNC_ variables the app reads, for a message that names one it does not. */
export const READ_SYNC_VARIABLES: readonly string[] = [...SYNC_VARIABLES, ...NATS_VARIABLES];
