import { mergeWritingTriggers } from '../../../lib/data/merge-writing-triggers';
import { dbDigest, pullAll, tempDb, syncRefusal, capturingServer, type CapturingServer } from '../../helpers/data';

/**
 * SQLite keeps a trigger's table as its CREATE TRIGGER spelled it (`ON ITEM` keeps "ITEM" in
 * `tbl_name`) and matches table names folding ASCII case only. APPLY_REFUSED looked for the triggers
 * to name with `tbl_name = 'item'`, so a trigger made `ON ITEM` that refused a merge was not named; the
 * start-up warning folded names with `toLowerCase`, so a trigger on an untracked "équipe" was taken
 * for one on tracked "Équipe" (SQLite holds them apart).
 */
const SCHEMA = `
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, keep INTEGER NOT NULL DEFAULT 0);
CREATE TABLE item_log (id TEXT PRIMARY KEY NOT NULL);
CREATE TRIGGER item_kept BEFORE DELETE ON ITEM WHEN old.keep = 1 BEGIN SELECT RAISE(FAIL, 'item is kept'); END;
CREATE TRIGGER item_logged AFTER INSERT ON "Item" BEGIN INSERT INTO item_log (id) VALUES (new.id); END;`;

type Server = CapturingServer;

const server = (): Server => capturingServer(SCHEMA, ['item']);


describe('APPLY_REFUSED names an app trigger made ON the table spelled in another case', () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    [a, b] = [server(), server()];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('its RAISE on a merged delete (a TEMP one ON main."ITEM" too)', () => {
    a.db.exec("INSERT INTO item (id) VALUES ('i1')");
    pullAll(a.tracker, b.tracker);
    b.db.exec(`UPDATE item SET keep = 1 WHERE id = 'i1';
      CREATE TEMP TRIGGER item_held BEFORE DELETE ON main."ITEM" WHEN old.keep = 2 BEGIN SELECT RAISE(ABORT, 'item is held'); END`);
    a.db.exec("DELETE FROM item WHERE id = 'i1'");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a change to item \["i1"\] from another server was refused by an app trigger \(triggers holding a RAISE on item: item_kept, item_held\): "item is kept"\./);
    expect(dbDigest(b.db)).toBe(before);
  });

  it("its write breaking another table's constraint on a merged insert", () => {
    b.db.exec("INSERT INTO item_log (id) VALUES ('i1')");
    a.db.exec("INSERT INTO item (id) VALUES ('i1')");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a change to item \["i1"\] from another server was refused by an app trigger \(app triggers on item: item_kept, item_logged\): "UNIQUE constraint failed: item_log\.id"\./);
    expect(dbDigest(b.db)).toBe(before);
  });
});

describe('the start-up warning matches names as SQLite does (ASCII case only)', () => {
  it('a trigger ON "ÉQUIPE" is on tracked "Équipe"; one on untracked "équipe" is not', () => {
    const db = tempDb(`
      CREATE TABLE "Équipe" (id TEXT PRIMARY KEY NOT NULL, n INTEGER);
      CREATE TABLE "équipe" (id TEXT PRIMARY KEY NOT NULL, n INTEGER);
      CREATE TRIGGER upper_case AFTER INSERT ON "ÉQUIPE" BEGIN UPDATE "ÉQUIPE" SET n = 1 WHERE id = new.id; INSERT INTO "équipe" (id) VALUES (new.id); END;
      CREATE TRIGGER untracked AFTER INSERT ON "équipe" BEGIN UPDATE "Équipe" SET n = 2 WHERE id = new.id; END;`);
    try {
      expect(db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['Équipe', 'équipe']);
      expect(mergeWritingTriggers(db.db, ['Équipe'])).toEqual([{ trigger: 'upper_case', on: 'Équipe', writes: ['Équipe'], temp: false }]);
    } finally {
      db.cleanup();
    }
  });
});
