import type Database from 'better-sqlite3';
import type { ChangeTracker } from './change-tracker';
import type { ApplyAnswer, ChangePageAnswer, DataInfoAnswer, LocalData, SchemaInfo } from '../peers/data-exchange';
import { PushLog } from './push-log';
import { diffSchemas, type SchemaDescription } from './schema-fingerprint';

/**
 * The sync client's view of a {@link ChangeTracker}: the tracker itself plus
 * the push cursors and a wall clock in `info()` (for the peer's skew).
 */
export function localDataOf(db: Database.Database, tracker: ChangeTracker): LocalData {
  const pushes = new PushLog(db);
  return {
    get siteId() {
      return tracker.siteId;
    },
    info: (): DataInfoAnswer => ({ ...tracker.info(), now: Date.now() }),
    readChanges: (since, limit, excludeSite): ChangePageAnswer => {
      const page = tracker.readChanges(since, limit, excludeSite);
      return { ...page, next: page.next ?? since, more: page.more ?? false };
    },
    applyChangeset: (changeset): ApplyAnswer => tracker.applyChangeset(changeset),
    cursorFor: (site) => tracker.cursorFor(site),
    pushedTo: (site) => pushes.pushedTo(site),
    recordPushed: (site, seq) => pushes.recordPushed(site, seq),
    describeSchemaDifference: (theirs: SchemaInfo) => diffSchemas(tracker.schema, theirs as SchemaDescription),
  };
}
