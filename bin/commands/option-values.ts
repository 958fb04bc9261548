import type { Command } from 'commander';
import { SyncError } from '../../lib/sync-error';

/** The environment variable an option falls back to when left out. */
const FALLBACKS: ReadonlyMap<string, string> = new Map([
  ['--token', 'SYNC_TOKEN'],
  ['--ca', 'SYNC_PEER_CA'],
]);

/**
 * Refuses an option whose value is one of the command's own options
 * (`--token --json`): what a shell makes of `--token $TOKEN --json` with
 * `TOKEN` empty or unset. Commander takes the next word as the value, so the
 * token sent would be "--json" (a 401 that says nothing of the cause) and
 * `--json` would not apply.
 * @throws SyncError `BAD_USAGE` (400) naming the option and the fix
 */
export function refuseOptionAsValue(command: Command): void {
  const flags = new Set(['-h', '--help']);
  for (const option of command.options) {
    if (option.long !== undefined) flags.add(option.long);
    if (option.short !== undefined) flags.add(option.short);
  }
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value !== 'string' || !flags.has(value)) continue;
    const name = option.long ?? option.flags;
    const fallback = FALLBACKS.get(name);
    const otherwise = fallback === undefined ? '' : `, or leave ${name} out to use ${fallback}`;
    throw new SyncError('BAD_USAGE', 400, `${name} is followed by ${value}, an option, not a value: an empty or unset shell variable? Quote it ("$VAR")${otherwise}`);
  }
}
