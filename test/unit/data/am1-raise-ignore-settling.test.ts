import { enableCapture } from '../../../lib/data/capture';
import { dbDigest, pullAll, syncToQuiescence, tableRows, tempDb, syncRefusal, capturingServer, type CapturingServer } from '../../helpers/data';
import { nextMillisecond } from '../../helpers/clock';

// An app trigger's RAISE(IGNORE) skipped the writes of the constraint rules too:
// a row they moved out of its table stayed in it (and was parked as well), a
// parked row they brought back was dropped from its parked rows and never
// entered the table. Both now refuse the page with APPLY_REFUSED, as a RAISE(ABORT)
// does (app-trigger-refusal.test.ts), and nothing of it is written.
const SCHEMA = 'CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE, keep INTEGER NOT NULL DEFAULT 0);';
const SKIP_MERGES = 'WHEN (SELECT applying FROM _sync_state) = 0';

type Server = CapturingServer;

const server = (): Server => capturingServer(SCHEMA, ['item']);

describe("an app trigger's RAISE(IGNORE) on a write settling the constraints", () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    [a, b] = [server(), server()];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('keeping a row the rules move out of its table: APPLY_REFUSED naming the row and the trigger, nothing written; converges once it skips merges', () => {
    // a claims code K first; b claims it later: settling parks b's row, and b's trigger skips the delete.
    a.db.exec("INSERT INTO item (id, code) VALUES ('ia', 'K')");
    nextMillisecond();
    b.db.exec("INSERT INTO item (id, code, keep) VALUES ('ib', 'K', 1); CREATE TRIGGER item_kept BEFORE DELETE ON item WHEN old.keep = 1 BEGIN SELECT RAISE(IGNORE); END;");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^moving the item row \["ib"\] out of its table, to its parked rows was refused by an app trigger \(triggers holding a RAISE on item: item_kept\): "RAISE\(IGNORE\) skipped the write/);
    expect(error.message).toContain(SKIP_MERGES);
    expect(dbDigest(b.db)).toBe(before);

    b.db.exec(`DROP TRIGGER item_kept; CREATE TRIGGER item_kept BEFORE DELETE ON item WHEN old.keep = 1 AND (SELECT applying FROM _sync_state) = 0 BEGIN SELECT RAISE(IGNORE); END;`);
    syncToQuiescence([a.tracker, b.tracker]);
    expect(tableRows(b.db, 'item')).toEqual([['ia', 'K', 0n]]);
    expect(tableRows(a.db, 'item')).toEqual(tableRows(b.db, 'item'));
  });

  it('dropping a parked row that comes back into its table: APPLY_REFUSED, the row still parked; converges once the trigger is dropped', () => {
    // b's ib, a later claim of K, is parked; once ia is deleted it comes back, and b's trigger skips its insert.
    a.db.exec("INSERT INTO item (id, code) VALUES ('ia', 'K')");
    nextMillisecond();
    b.db.exec("INSERT INTO item (id, code) VALUES ('ib', 'K')");
    pullAll(a.tracker, b.tracker);
    expect(tableRows(b.db, 'item')).toEqual([['ia', 'K', 0n]]);
    b.db.exec("CREATE TRIGGER item_back BEFORE INSERT ON item WHEN new.id = 'ib' BEGIN SELECT RAISE(IGNORE); END;");
    a.db.exec("DELETE FROM item WHERE id = 'ia'");
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a write settling the constraints \(a parked item row \["ib"\] coming back into its table\) was refused by an app trigger \(triggers holding a RAISE on item: item_back\): "RAISE\(IGNORE\) skipped the write/);
    expect(dbDigest(b.db)).toBe(before);

    b.db.exec('DROP TRIGGER item_back');
    syncToQuiescence([a.tracker, b.tracker]);
    expect(tableRows(b.db, 'item')).toEqual([['ib', 'K', 0n]]);
    expect(tableRows(a.db, 'item')).toEqual(tableRows(b.db, 'item'));
  });
});

describe("an app trigger's RAISE(IGNORE) on an orphan coming back with its parent", () => {
  const FK_SCHEMA = `CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL);
CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT REFERENCES parent (id));`;
  let a: Server;
  let b: Server;
  beforeEach(() => {
    [a, b] = [0, 1].map(() => {
      const temp = tempDb(FK_SCHEMA);
      return { ...temp, tracker: enableCapture(temp.db, { tables: ['parent', 'child'] }) };
    }) as [Server, Server];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('is APPLY_REFUSED naming the row and the trigger, the orphan still parked; converges once the trigger is dropped', () => {
    a.db.exec("INSERT INTO parent VALUES ('p1')");
    pullAll(a.tracker, b.tracker);
    // b deletes the parent while a gives it a child: the child is an orphan on both, parked.
    b.db.exec("DELETE FROM parent WHERE id = 'p1'");
    a.db.exec("INSERT INTO child VALUES ('c1', 'p1')");
    syncToQuiescence([a.tracker, b.tracker]);
    expect(tableRows(b.db, 'child')).toEqual([]);
    // The parent comes back on a; on b, its child would come back with it, and b's trigger skips the insert.
    a.db.exec("INSERT INTO parent VALUES ('p1')");
    b.db.exec('CREATE TRIGGER child_back BEFORE INSERT ON child BEGIN SELECT RAISE(IGNORE); END;');
    const before = dbDigest(b.db);
    const error = syncRefusal(() => pullAll(a.tracker, b.tracker));
    expect(error).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect(error.message).toMatch(/^a write settling the constraints \(a parked child row \["c1"\] coming back into its table\) was refused by an app trigger \(triggers holding a RAISE on child: child_back\): "RAISE\(IGNORE\) skipped the write/);
    expect(dbDigest(b.db)).toBe(before);

    b.db.exec('DROP TRIGGER child_back');
    syncToQuiescence([a.tracker, b.tracker]);
    expect(tableRows(b.db, 'child')).toEqual([['c1', 'p1']]);
    expect(tableRows(a.db, 'child')).toEqual(tableRows(b.db, 'child'));
  });
});
