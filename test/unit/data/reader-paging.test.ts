import { enableCapture } from '../../../lib/data/capture';
import { tempDb } from '../../helpers/data';

/** A wide table: each row update below writes 62 cells that share one seq. */
const COLUMNS = Array.from({ length: 62 }, (_, i) => `c${i}`);
const SCHEMA = `CREATE TABLE wide (id TEXT PRIMARY KEY NOT NULL, ${COLUMNS.map((name) => `${name} INTEGER`).join(', ')})`;

describe('reading pages of wide rows', () => {
  it('never drops the cells of one seq, however the parts fall against the page size', () => {
    const source = tempDb(SCHEMA);
    const target = tempDb(SCHEMA);
    try {
      const from = enableCapture(source.db, { tables: ['wide'] });
      const to = enableCapture(target.db, { tables: ['wide'] });
      const insert = source.db.prepare(`INSERT INTO wide (id, ${COLUMNS.join(', ')}) VALUES (?, ${COLUMNS.map(() => '0').join(', ')})`);
      for (const id of ['a', 'b', 'c']) insert.run(id);
      to.applyChangeset(from.readChanges(0, 10));
      const cursor = to.pullCursor(from.siteId);
      // One update per row: 3 seqs of 62 cell parts each, read two rows a page.
      for (const id of ['a', 'b', 'c']) source.db.prepare(`UPDATE wide SET ${COLUMNS.map((name) => `${name} = 7`).join(', ')} WHERE id = ?`).run(id);
      for (let since = cursor, more = true; more; ) {
        const page = from.readChanges(since, 2, to.siteId);
        to.applyChangeset(page);
        more = page.more === true;
        since = page.next ?? since;
      }
      const rows = target.db.prepare('SELECT * FROM wide ORDER BY id').all() as Array<Record<string, unknown>>;
      expect(rows.map((row) => COLUMNS.filter((name) => row[name] !== 7))).toEqual([[], [], []]);
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });
});
