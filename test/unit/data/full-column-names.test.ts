import { enableCapture } from '../../../lib/data/capture';
import { tempDb, type TempDb } from '../../helpers/data';

/**
 * SQLite's deprecated `PRAGMA full_column_names = ON` names every result
 * column `table.column`: enableCapture read none of the schema's columns and
 * refused the table as "it is a undefined". It is refused, naming the pragma.
 */
describe('a connection with PRAGMA full_column_names = ON', () => {
  let temp: TempDb;
  afterEach(() => temp.cleanup());

  it('is refused by enableCapture with CAPTURE_REFUSED naming the pragma and the fix, and nothing is created', () => {
    temp = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
    temp.db.pragma('full_column_names = ON');
    expect(() => enableCapture(temp.db, { tables: ['notes'] })).toThrow(
      expect.objectContaining({ code: 'CAPTURE_REFUSED', message: expect.stringMatching(/full_column_names = ON .*db\.pragma\('full_column_names = OFF'\)/) }),
    );
    expect(temp.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().get()).toBe(0);
    temp.db.pragma('full_column_names = OFF');
    const tracker = enableCapture(temp.db, { tables: ['notes'] });
    temp.db.prepare("INSERT INTO notes VALUES ('a', 'x')").run();
    expect(tracker.readChanges(0, 10).changes).toHaveLength(1);
  });

  it('a connection with PRAGMA short_column_names = OFF is refused the same way, not as a nullable key', () => {
    // Its columns read through an alias are named by their text (p.name): the NOT NULL key was refused as "nullable".
    temp = tempDb('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT);');
    temp.db.pragma('short_column_names = OFF');
    expect(() => enableCapture(temp.db, { tables: ['notes'] })).toThrow(
      expect.objectContaining({ code: 'CAPTURE_REFUSED', message: expect.stringMatching(/short_column_names = OFF .*db\.pragma\('short_column_names = ON'\)/) }),
    );
    expect(temp.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().get()).toBe(0);
    temp.db.pragma('short_column_names = ON');
    const tracker = enableCapture(temp.db, { tables: ['notes'] });
    temp.db.prepare("INSERT INTO notes VALUES ('a', 'x')").run();
    expect(tracker.readChanges(0, 10).changes).toHaveLength(1);
  });
});
