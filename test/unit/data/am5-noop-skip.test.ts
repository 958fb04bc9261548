import type Database from 'better-sqlite3';
import { dbDigest, keyFormRows, pullAll, syncToQuiescence, tableRows, trackedServers, type TrackedServer } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

// A trigger that skips writes changing nothing (`BEFORE UPDATE … WHEN NEW.v IS OLD.v … RAISE(IGNORE)`,
// kept so an unchanged row does not bump an FTS index or a stamp) skips a merge's write of the values the
// row holds already: a later equal value of a cell, a row deleted and written again as it was (its next
// life), its key rewritten in the form it has. 3adaa9d took each for a RAISE(IGNORE)
// that lost a write and refused the page with APPLY_REFUSED, every round, for good: the table held just what
// the metadata says. Only a skipped write whose values the row does not hold is refused now.
const SCHEMA = `
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, v TEXT, n INTEGER);
CREATE TABLE kv (k NOT NULL PRIMARY KEY, v TEXT);
CREATE TRIGGER item_same BEFORE UPDATE ON item WHEN NEW.v IS OLD.v AND NEW.n IS OLD.n BEGIN SELECT RAISE(IGNORE); END;
CREATE TABLE once (id TEXT PRIMARY KEY NOT NULL, v TEXT);
CREATE TRIGGER once_only BEFORE INSERT ON once WHEN EXISTS (SELECT 1 FROM once WHERE id = NEW.id) BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER kv_same BEFORE UPDATE ON kv WHEN NEW.k IS OLD.k AND NEW.v IS OLD.v BEGIN SELECT RAISE(IGNORE); END;
`;

describe('a trigger that skips the writes changing nothing, on a merge writing the values a row holds', () => {
  let servers: TrackedServer[];
  let a: Database.Database;
  let b: Database.Database;
  beforeEach(() => {
    servers = trackedServers(2, SCHEMA, ['item', 'kv', 'once']);
    [a, b] = servers.map((server) => server.temp.db) as [Database.Database, Database.Database];
    a.exec("INSERT INTO item VALUES ('i1', 'p', 1); INSERT INTO kv VALUES (2.0, 'p'); INSERT INTO once VALUES ('o1', 'p')");
    syncToQuiescence(servers.map((server) => server.tracker));
  });
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  function converges(): void {
    syncToQuiescence(servers.map((server) => server.tracker));
    expect(dbDigest(a, true)).toBe(dbDigest(b, true));
  }

  it('a later equal value of a cell is applied, not refused', () => {
    b.exec("UPDATE item SET v = 'x'");
    nextMillisecond();
    a.exec("UPDATE item SET v = 'x'");
    converges();
    expect(tableRows(b, 'item')).toEqual([['i1', 'x', 1n]]);
  });

  it('a row deleted and written again as it was (its next life) is applied, its key form kept', () => {
    a.exec("DELETE FROM item; INSERT INTO item VALUES ('i1', 'p', 1); DELETE FROM kv; INSERT INTO kv VALUES (2.0, 'p')");
    converges();
    expect(tableRows(b, 'item')).toEqual([['i1', 'p', 1n]]);
    expect(keyFormRows(b, 'kv')).toEqual(keyFormRows(a, 'kv'));
  });

  it('a row written again as it was, where a trigger skips the insert of a key the table holds, is applied', () => {
    a.exec("DELETE FROM once; INSERT INTO once VALUES ('o1', 'p')");
    converges();
    expect(tableRows(b, 'once')).toEqual([['o1', 'p']]);
  });

  it('still refuses a skipped write whose values the row does not hold', () => {
    b.exec("UPDATE item SET n = 2"); // b's own later write of n: a's v must still be written
    a.exec("DROP TRIGGER item_same; UPDATE item SET v = 'y', n = 2; CREATE TRIGGER item_same BEFORE UPDATE ON item WHEN NEW.n IS OLD.n BEGIN SELECT RAISE(IGNORE); END;");
    b.exec("DROP TRIGGER item_same; CREATE TRIGGER item_same BEFORE UPDATE ON item WHEN NEW.n IS OLD.n BEGIN SELECT RAISE(IGNORE); END;");
    const before = dbDigest(b);
    expect(() => pullAll(servers[0]!.tracker, servers[1]!.tracker)).toThrow(expect.objectContaining({ code: 'APPLY_REFUSED', status: 409 }));
    expect(dbDigest(b)).toBe(before);
  });
});
