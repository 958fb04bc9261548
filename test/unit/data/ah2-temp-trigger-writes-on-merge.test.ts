import express from 'express';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { mergeWritingTriggers } from '../../../lib/data/merge-writing-triggers';
import { SyncError } from '../../../lib/sync-error';
import { createSyncRouter } from '../../../node/create-sync-router';
import { captureLog, LEVEL } from '../../helpers/log';
import { dbDigest, pullAll, tableRows, tempDb, type TempDb } from '../../helpers/data';
import { TEST_TOKEN } from '../../helpers/server';

/**
 * An app trigger made TEMP on the server's own connection (`CREATE TEMP TRIGGER … ON main.orders BEGIN
 * INSERT INTO main.audit …`) fires on a merge's writes as a permanent one does: what it writes to a tracked
 * table then is dropped with the merge's own log (not captured), so that row stays on this server only while
 * every round is ok. The start-up warning `triggers.write_on_merge` read only `sqlite_master` and missed
 * it (and its writes, qualified `main.audit`, read as a write to a table named "main"); an APPLY_REFUSED
 * raised by a TEMP trigger did not name it.
 */
const TABLES = ['orders', 'audit'];
const SCHEMA = `
CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, item TEXT, keep INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit (id TEXT PRIMARY KEY NOT NULL, what TEXT);`;
const AUDIT = "INSERT INTO main.audit (id, what) VALUES ('audit ' || new.id, 'order ' || new.id)";
const TEMP_AUDIT = `CREATE TEMP TRIGGER orders_audit AFTER INSERT ON main.orders BEGIN ${AUDIT}; END`;

type Server = TempDb & { readonly tracker: ChangeTracker };

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { ...temp, tracker: enableCapture(temp.db, { tables: TABLES }) };
}

describe('a TEMP trigger writing to a tracked table when a merge writes', () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    [a, b] = [server(), server()];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('fires on the merge and its write is not captured: the row it adds stays on that server, every pull ok', () => {
    b.db.exec(TEMP_AUDIT);
    a.db.exec("INSERT INTO orders (id, item) VALUES ('o1', 'bolt')");
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
    expect(tableRows(b.db, 'audit')).toEqual([['audit o1', 'order o1']]);
    expect(tableRows(a.db, 'audit')).toEqual([]);
    expect(tableRows(a.db, 'orders')).toEqual(tableRows(b.db, 'orders'));
  });

  it('is listed with the permanent ones, whatever schema its writes name, and not with WHEN applying or on another schema', () => {
    b.db.exec(`ATTACH '' AS aux; CREATE TABLE aux.orders (id TEXT PRIMARY KEY, item TEXT); CREATE TABLE aux.audit (id TEXT PRIMARY KEY, what TEXT);
      ${TEMP_AUDIT};
      CREATE TEMP TRIGGER "quoted write" AFTER UPDATE ON "orders" BEGIN UPDATE "main" . "AUDIT" SET what = new.item; END;
      CREATE TEMP TRIGGER skips AFTER DELETE ON main.orders WHEN (SELECT applying FROM _sync_state) = 0 BEGIN DELETE FROM main.audit; END;
      CREATE TEMP TRIGGER elsewhere AFTER INSERT ON aux.orders BEGIN INSERT INTO main.audit (id) VALUES (new.id); END;
      CREATE TEMP TRIGGER other_schema_writes AFTER DELETE ON main.orders BEGIN DELETE FROM aux.audit; DELETE FROM temp.scratch; END;
      CREATE TEMP TABLE scratch (x);`);
    expect(mergeWritingTriggers(b.db, TABLES)).toEqual([
      { trigger: 'orders_audit', on: 'orders', writes: ['audit'], temp: true },
      { trigger: 'quoted write', on: 'orders', writes: ['audit'], temp: true },
    ]);
  });

  it('a connection without a temp database: the look opens none', () => {
    expect(mergeWritingTriggers(b.db, TABLES)).toEqual([]);
    expect(b.db.prepare('SELECT name FROM pragma_database_list').pluck().all()).toEqual(['main']);
  });

  it('its RAISE during a merge: APPLY_REFUSED names it, nothing written', () => {
    a.db.exec("INSERT INTO orders (id, item) VALUES ('o1', 'bolt')");
    pullAll(a.tracker, b.tracker);
    b.db.exec("CREATE TEMP TRIGGER orders_kept BEFORE DELETE ON main.orders BEGIN SELECT RAISE(FAIL, 'orders are kept'); END");
    a.db.exec("DELETE FROM orders WHERE id = 'o1'");
    const before = dbDigest(b.db);
    let refused: unknown;
    try {
      pullAll(a.tracker, b.tracker);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SyncError);
    expect(refused).toMatchObject({ code: 'APPLY_REFUSED', status: 409 });
    expect((refused as SyncError).message).toMatch(/^a change to orders \["o1"\] from another server was refused by an app trigger \(triggers holding a RAISE on orders: orders_kept\): "orders are kept"\./);
    expect(dbDigest(b.db)).toBe(before);
  });
});

describe('the start-up warning for a TEMP trigger', () => {
  it('createSyncRouter warns of it as of a permanent one, naming it TEMP, what it writes and the fix', () => {
    const b = tempDb(SCHEMA);
    try {
      b.db.exec(TEMP_AUDIT);
      const log = captureLog('warn');
      express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: log.logger, database: b.db, tables: TABLES }));
      expect(log.events('triggers.write_on_merge')).toEqual([
        expect.objectContaining({
          level: LEVEL.warn,
          trigger: 'orders_audit',
          table: 'orders',
          writes: ['audit'],
          temp: true,
          msg: expect.stringMatching(/^TEMP trigger orders_audit on orders writes to audit .*Add WHEN \(SELECT applying FROM _sync_state\) = 0 to it/),
        }),
      ]);
    } finally {
      b.cleanup();
    }
  });
});
