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

/** The variable `name` was most likely meant to be: one letter away, or the start of its name. */
function meantBy(name: string): string | undefined {
  if (!name.startsWith('SYNC_') || name.startsWith('SYNC_NATS_') || SYNC_VARIABLES.includes(name)) return undefined;
  return SYNC_VARIABLES.find((known) => distance(name, known) <= 1) ?? SYNC_VARIABLES.find((known) => known.startsWith(name));
}

/**
 * Refuses a set SYNC_ variable misspelled from one the app reads (`SYNC_PEER` for `SYNC_PEERS`,
 * `SYNC_INTERVAL` for `SYNC_INTERVAL_MS`): ignored, it left the app running alone or at another
 * interval than the operator set. Other SYNC_ names (another program's) are left alone.
 * @throws TypeError naming the variable and the one meant
 */
export function refuseMisspelledNames(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env).sort()) {
    const meant = orNone(env[name]) === undefined ? undefined : meantBy(name);
    if (meant !== undefined) throw new TypeError(`${name} is not a variable of the sample app: did you mean ${meant}? Rename it, or unset it`);
  }
}
