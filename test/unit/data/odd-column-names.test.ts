import { enableCapture } from '../../../lib/data/capture';
import { tableRows, tempDb } from '../../helpers/data';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, "__proto__" TEXT, "constructor" TEXT, "toString" INTEGER)';

describe('columns named like JavaScript object internals', () => {
  it.each([false, true])('sync in both page protocols (compact: %s): a new row arrives whole, an edit arrives', (compact) => {
    const [a, b] = [tempDb(), tempDb()];
    try {
      a.db.exec(SCHEMA);
      b.db.exec(SCHEMA);
      const [from, to] = [enableCapture(a.db, { tables: ['notes'] }), enableCapture(b.db, { tables: ['notes'] })];
      a.db.prepare('INSERT INTO notes VALUES (?, ?, ?, ?)').run('n1', 'proto value', 'ctor value', 7);
      const read = (since: number): unknown => (compact ? from.readCompactChanges(since, 100, to.siteId) : from.readChanges(since, 100, to.siteId));
      // Through JSON, as over HTTP.
      to.applyChangeset(JSON.parse(JSON.stringify(read(0))));
      expect(tableRows(b.db, 'notes')).toEqual(tableRows(a.db, 'notes'));
      const seq = from.info().seq;
      a.db.prepare('UPDATE notes SET "__proto__" = ? WHERE id = ?').run('edited', 'n1');
      to.applyChangeset(JSON.parse(JSON.stringify(read(seq))));
      expect(tableRows(b.db, 'notes')).toEqual(tableRows(a.db, 'notes'));
      expect(b.db.prepare('SELECT "__proto__" FROM notes').pluck().get()).toBe('edited');
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
