import type Database from 'better-sqlite3';
import { quotedKeyPartSql } from './capture-sql';
import { parseQuotedKey } from './key-codec';
import { numbers } from './prepared';
import { bindable } from './values';

/** Pending log rows of composite-key tables whose key holds an exponent, the only spelling that differs. */
const SPELLED_WITH_EXPONENT = `SELECT seq, pk FROM _sync_log WHERE seq > ? AND tbl IN (SELECT value FROM json_each(?))
  AND typeof(pk) = 'text' AND (instr(pk, 'e+') > 0 OR instr(pk, 'e-') > 0)`;

/** One key value as a composite metadata key holds it (see `keyPartSql`). */
const VALUE_AS_KEY_PART = `SELECT ${quotedKeyPartSql('@v')}`;

/**
 * Spells the composite keys of the log's unfolded rows as this server's SQLite
 * spells them. A composite key's metadata is the text `quote()` gives for each
 * key value, and an older SQLite writes some REALs otherwise: the `sqlite3` shell
 * of Debian 12 (3.40) writes 0.1 + 0.2 as `3.00000000000000044408e-01`, the
 * library this server runs as `0.30000000000000004`. Without this, a row written
 * from such a shell and from the app had two metadata keys, and a delete made
 * through one was never sent for the other (peers kept or lost the row, status ok).
 * Both spellings read back to the same REAL, so each is read and written again.
 * @param composite - the ids of the tracked tables with a composite key
 */
export function respellLoggedKeys(db: Database.Database, after: number, composite: readonly number[]): void {
  if (composite.length === 0) return;
  const rows = numbers(db, SPELLED_WITH_EXPONENT).all(after, JSON.stringify(composite)) as { seq: number; pk: string }[];
  if (rows.length === 0) return;
  const part = numbers(db, VALUE_AS_KEY_PART).pluck();
  const respell = numbers(db, 'UPDATE _sync_log SET pk = ? WHERE seq = ?');
  for (const { seq, pk } of rows) {
    const spelled = parseQuotedKey(pk).map((value) => part.get({ v: bindable(value) }) as string).join(',');
    if (spelled !== pk) respell.run(spelled, seq);
  }
}
