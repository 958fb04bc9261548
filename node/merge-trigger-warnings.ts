import type Database from 'better-sqlite3';
import type { ChangeTracker } from '../lib/data/change-tracker';
import { mergeWritingTriggers, type MergeWritingTrigger } from '../lib/data/merge-writing-triggers';
import type { SyncLogger } from '../lib/logger';

/** One line of `triggers.write_on_merge`: the trigger, what it writes, the fix. */
function warnOf(found: MergeWritingTrigger, logger: SyncLogger): void {
  logger.warn(
    { event: 'triggers.write_on_merge', trigger: found.trigger, table: found.on, writes: found.writes, temp: found.temp },
    `${found.temp ? 'TEMP trigger' : 'trigger'} ${found.trigger} on ${found.on} writes to ${found.writes.join(', ')} and runs when a peer's change is applied too: what it writes then is not captured, so this server ends different from its peers (a row it adds stays here). Add WHEN (SELECT applying FROM _sync_state) = 0 to it (the server where the change was made runs it, and its writes travel as ordinary changes)`,
  );
}

/**
 * Warns of app triggers on tracked tables (TEMP ones on this connection too) that write to tracked tables
 * without skipping merges: they run again where a peer's change is applied, uncaptured, and the servers end
 * different. At creation, and then once for each such trigger the app makes later: the tracker's schema
 * watch finds it at the next read or apply (a sync round, a status read). A trigger is warned of once per
 * name (and TEMP or not), even when it is dropped and made again.
 */
export function warnOfTriggersWritingOnMerge(database: Database.Database, tables: readonly string[], tracker: ChangeTracker, logger: SyncLogger): void {
  const warned = new Set<string>();
  const warnOfNew = (): void => {
    for (const found of mergeWritingTriggers(database, tables)) {
      const key = `${found.temp ? 'temp' : 'main'}.${found.trigger}`;
      if (warned.has(key)) continue;
      warned.add(key);
      warnOf(found, logger);
    }
  };
  warnOfNew();
  tracker.onSchemaMoved(warnOfNew);
}
