import { dbDigest, pullAll, tableRows, syncRefusal, capturingServer, type CapturingServer } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

// An app trigger's RAISE while a peer's page is applied refuses the page with
// SyncError APPLY_REFUSED (409), whatever write of the merge it fires on, and
// the page's transaction rolls back whole.
const SCHEMA = `
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE, keep INTEGER NOT NULL DEFAULT 0);
CREATE TRIGGER item_kept BEFORE DELETE ON item WHEN old.keep = 1 BEGIN SELECT RAISE(FAIL, 'item is kept'); END;
CREATE TRIGGER item_frozen BEFORE UPDATE OF code ON item WHEN old.keep = 2 BEGIN SELECT RAISE(ROLLBACK, 'item is frozen'); END;
`;

type Server = CapturingServer;

const server = (): Server => capturingServer(SCHEMA, ['item']);


describe("an app trigger's RAISE during a merge", () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    [a, b] = [server(), server()];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('on a merged delete: APPLY_REFUSED naming the row and the trigger, nothing written', () => {
    a.db.exec("INSERT INTO item (id, code) VALUES ('i1', 'A'), ('i2', 'B')");
    pullAll(a.tracker, b.tracker);
    b.db.exec("UPDATE item SET keep = 1 WHERE id = 'i1'");
    a.db.exec("DELETE FROM item WHERE id = 'i1'; UPDATE item SET code = 'C' WHERE id = 'i2'");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a change to item \["i1"\] from another server was refused by an app trigger \(triggers holding a RAISE on item: item_frozen, item_kept\): "item is kept"\. App triggers fire/);
    expect(dbDigest(b.db)).toBe(before);
  });

  it('on a merged update with RAISE(ROLLBACK): APPLY_REFUSED, the connection usable and nothing written', () => {
    a.db.exec("INSERT INTO item (id, code) VALUES ('i1', 'A')");
    pullAll(a.tracker, b.tracker);
    b.db.exec("UPDATE item SET keep = 2 WHERE id = 'i1'");
    a.db.exec("UPDATE item SET code = 'Z' WHERE id = 'i1'");
    const before = dbDigest(b.db);
    expect(syncRefusal(() => pullAll(a.tracker, b.tracker)).message).toContain('"item is frozen"');
    expect(dbDigest(b.db)).toBe(before);
    expect(b.db.inTransaction).toBe(false);
    b.db.exec("UPDATE item SET keep = 0 WHERE id = 'i1'");
    pullAll(a.tracker, b.tracker);
    expect(tableRows(b.db, 'item')).toEqual([['i1', 'Z', 0n]]);
  });

  it('on a row the constraint rules move out of the table while settling: APPLY_REFUSED, nothing written', () => {
    // a claims code K first; b claims it later and keeps its row: settling must park b's row, and its trigger refuses the delete.
    a.db.exec("INSERT INTO item (id, code) VALUES ('ia', 'K')");
    nextMillisecond();
    b.db.exec("INSERT INTO item (id, code, keep) VALUES ('ib', 'K', 1)");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a write settling the constraints after another server's page was refused by an app trigger \(triggers holding a RAISE on item: item_frozen, item_kept\): "item is kept"/);
    expect(dbDigest(b.db)).toBe(before);
  });
});
