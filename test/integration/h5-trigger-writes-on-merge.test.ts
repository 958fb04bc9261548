import express from 'express';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { silentLogger } from '../../lib/logger';
import { tempDb, type TempDb } from '../helpers/data';
import { captureLog, LEVEL } from '../helpers/log';
import { typedRows } from '../helpers/h5-schema-fleet';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// An app trigger on a tracked table that writes to a tracked table fires when a peer's change is
// applied too, and its write is not captured there: the servers end different while every round is
// ok (docs/PROTOCOL.md, APPLY_REFUSED; docs/API.md, Logs). Sync cannot tell those writes from its own,
// so the server says it at creation, naming the trigger and the fix.
const TABLES = ['orders', 'audit'];
const when = (skip: boolean): string => (skip ? ' WHEN (SELECT applying FROM _sync_state) = 0' : '');
const schema = (skip: boolean): string => `
CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, item TEXT);
CREATE TABLE audit (id TEXT PRIMARY KEY NOT NULL, what TEXT);
CREATE TABLE app_log (line TEXT);
CREATE TRIGGER "orders audit" AFTER INSERT ON orders${when(skip)} BEGIN
  INSERT OR REPLACE INTO "audit" (id, what) VALUES (lower(hex(randomblob(8))), 'order ' || new.id);
END;
CREATE TRIGGER orders_log AFTER UPDATE ON orders BEGIN INSERT INTO app_log (line) VALUES ('updated'); END;`;

describe('an app trigger writing to a tracked table, two servers over HTTP', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  async function start(skip: boolean): Promise<ReturnType<typeof captureLog>> {
    here = tempDb(schema(skip));
    there = tempDb(schema(skip));
    const log = captureLog('warn');
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: there.db, tables: TABLES })));
    node = createSyncNode({ token: TEST_TOKEN, logger: log.logger, database: here.db, tables: TABLES, peers: [`${server.url}/api/sync`] });
    return log;
  }

  afterEach(async () => {
    await node.stop();
    await server.close();
    here.cleanup();
    there.cleanup();
  });

  it('without the WHEN clause: the server warns at creation, naming the trigger, what it writes and the fix (the rows it adds on a merge stay there)', async () => {
    const log = await start(false);
    expect(log.events('triggers.write_on_merge')).toEqual([
      expect.objectContaining({ level: LEVEL.warn, trigger: 'orders audit', table: 'orders', writes: ['audit'], msg: expect.stringContaining('Add WHEN (SELECT applying FROM _sync_state) = 0') }),
    ]);
    there.db.exec("INSERT INTO orders (id, item) VALUES ('o1', 'bolt')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(here.db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(2); // the origin's row, and one the merge's trigger wrote here only
  });

  it('with the WHEN clause: no warning, and both servers end with the origin audit row only', async () => {
    const log = await start(true);
    expect(log.events('triggers.write_on_merge')).toEqual([]);
    there.db.exec("INSERT INTO orders (id, item) VALUES ('o1', 'bolt')");
    here.db.exec("INSERT INTO orders (id, item) VALUES ('o2', 'nut')");
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    for (const table of TABLES) expect(typedRows(here.db, table)).toEqual(typedRows(there.db, table));
    expect(here.db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(2);
  });

  it('a trigger made after the start (main or TEMP) is warned of once, at the next round after it was made', async () => {
    const log = await start(true);
    expect(log.events('triggers.write_on_merge')).toEqual([]);
    here.db.exec("CREATE TRIGGER later AFTER UPDATE ON orders BEGIN INSERT INTO audit (id, what) VALUES (lower(hex(randomblob(8))), 'changed ' || new.id); END");
    here.db.exec("CREATE TEMP TRIGGER later_temp AFTER DELETE ON main.orders BEGIN DELETE FROM audit WHERE what = 'order ' || old.id; END");
    there.db.exec("INSERT INTO orders (id, item) VALUES ('o1', 'bolt')");
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    here.db.exec('CREATE INDEX orders_item ON orders (item)'); // the schema moves again: the two are not warned of twice
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(log.events('triggers.write_on_merge')).toEqual([
      expect.objectContaining({ level: LEVEL.warn, trigger: 'later', table: 'orders', writes: ['audit'], temp: false }),
      expect.objectContaining({ level: LEVEL.warn, trigger: 'later_temp', table: 'orders', writes: ['audit'], temp: true }),
    ]);
  });
});
