import express from 'express';
import request from 'supertest';
import type Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { createSyncRouter } from '../../node/create-sync-router';
import { nextMillisecond } from '../helpers/clock';
import { tableRows, type TempDb } from '../helpers/data';
import { closeDataPair, startDataPair } from '../helpers/data-pair';
import { captureLog, LEVEL, type CapturedLog } from '../helpers/log';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

// With parked rows, enableCapture ranks them all again when it starts (the schema or the clocks may have
// changed while the server was stopped), folding the writes made meanwhile first. An app trigger refusing
// a move of that ranking (RAISE(ABORT), or RAISE(IGNORE) skipping it) made enableCapture throw: the server
// never started, its status page with it. It now starts; data sync is stopped as for a fold's refusal
// (GET /status `dataError`, the data_stopped gauge, 409 APPLY_REFUSED on /data/* and syncs), and the ranking
// is tried again at each of them: once the trigger skips the sync's moves, sync goes on without a restart.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['item'];
const SCHEMA = 'CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT); CREATE UNIQUE INDEX item_code ON item (code);';
const SKIP_SYNC = 'WHEN (SELECT applying FROM _sync_state) = 0';

/** What changes while `there` is stopped, so that its parked row `late` comes back at the start; and the trigger refusing that. */
interface Case {
  readonly whileStopped: string;
  readonly body: string;
  readonly refused: string;
}

const CASES: Readonly<Record<string, Case>> = {
  'the UNIQUE index is dropped while stopped (the whole ranking brings the row back), a RAISE(ABORT) refuses it': {
    whileStopped: 'DROP INDEX item_code',
    body: "SELECT RAISE(ABORT, 'late stays out');",
    refused: 'ranking all parked rows again (at start, or after a new site id) was refused by an app trigger (triggers holding a RAISE on item: item_back): "late stays out"',
  },
  'the UNIQUE index is dropped while stopped, a RAISE(IGNORE) skips the row coming back': {
    whileStopped: 'DROP INDEX item_code',
    body: 'SELECT RAISE(IGNORE);',
    refused: 'ranking all parked rows again (at start, or after a new site id: a parked item row ["late"] coming back into its table) was refused by an app trigger (triggers holding a RAISE on item: item_back): "RAISE(IGNORE) skipped the write',
  },
  'the row holding the value is deleted while stopped (the fold before the ranking brings the row back), a RAISE(ABORT) refuses it': {
    whileStopped: "DELETE FROM item WHERE id = 'early'",
    body: "SELECT RAISE(ABORT, 'late stays out');",
    refused: 'settling the constraints after a local write was refused by an app trigger (triggers holding a RAISE on item: item_back): "late stays out"',
  },
};

/** The trigger refusing `late`'s insert; with `skipSync`, skipping the sync's own writes (the fix the refusal gives). */
function triggerSql(body: string, skipSync = false): string {
  return `CREATE TRIGGER item_back BEFORE INSERT ON item WHEN new.id = 'late'${skipSync ? ' AND (SELECT applying FROM _sync_state) = 0' : ''} BEGIN ${body} END;`;
}

describe("an app trigger refusing the start's ranking of the parked rows", () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;
  let log: CapturedLog;

  /** Both servers park `late` (it claims K after `early`); `there` is stopped, changed as `test` says, and started again on a new connection. */
  async function restartThere(test: Case): Promise<Database.Database> {
    ({ here, there, server, node } = await startDataPair(SCHEMA, SCHEMA, TABLES));
    here.db.exec("INSERT INTO item VALUES ('early', 'K')");
    nextMillisecond();
    there.db.exec("INSERT INTO item VALUES ('late', 'K')");
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    for (const side of [here, there]) expect(tableRows(side.db, 'item')).toEqual([['early', 'K']]);
    await node.stop();
    await server.close();
    there.db.close();
    const db = there.connect();
    db.pragma('foreign_keys = ON');
    db.exec(`${test.whileStopped}; ${triggerSql(test.body)}`);
    if (test.whileStopped.startsWith('DROP INDEX')) here.db.exec(test.whileStopped); // the same change on every server
    log = captureLog();
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: log.logger, database: db, tables: TABLES })));
    node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: here.db, tables: TABLES, peers: [`${server.url}/api/sync`], peerCompression: 'identity' });
    return db;
  }

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  function expectRefusal(error: { code?: string; message?: string } | undefined, test: Case): void {
    expect(error?.code).toBe('APPLY_REFUSED');
    expect(error?.message?.slice(0, test.refused.length)).toBe(test.refused);
    expect(error?.message).toContain(SKIP_SYNC);
    expect(error?.message).toMatch(/tried again/);
  }

  it.each(Object.entries(CASES))('%s: the server starts, data sync answers 409 APPLY_REFUSED, and goes on once the trigger is fixed', async (_name, test) => {
    const db = await restartThere(test);
    const [logged] = log.events('data.refused_at_start');
    expect(logged).toMatchObject({ level: LEVEL.error, code: 'APPLY_REFUSED' });
    expect(logged?.msg).toContain(test.refused);
    const status = await request(server.url).get('/api/sync/status').set(AUTH);
    expect(status.status).toBe(200);
    expectRefusal(status.body.dataError, test);
    const metrics = await request(server.url).get('/api/sync/metrics').set(AUTH);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('express_sqlite_sync_data_stopped{code="APPLY_REFUSED"} 1');
    const pulled = await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH);
    expect(pulled.status).toBe(409);
    expectRefusal(pulled.body.error, test);
    const [synced] = await node.syncNow();
    expect(synced?.ok).toBe(false);
    expect(synced?.error?.code).toBe('APPLY_REFUSED');

    db.exec(`DROP TRIGGER item_back; ${triggerSql(test.body, true)}`);
    expect((await request(server.url).get('/api/sync/status').set(AUTH)).body.dataError).toBeNull();
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    const settled = test.whileStopped.startsWith('DROP INDEX') ? [['early', 'K'], ['late', 'K']] : [['late', 'K']];
    expect(tableRows(db, 'item')).toEqual(settled);
    expect(tableRows(here.db, 'item')).toEqual(settled);
  });

  // Without parked rows but with foreign keys, the start folds the writes made while stopped (an orphan written
  // with foreign keys off is moved out): a trigger refusing that move stopped the start the same way.
  it('without parked rows: a refused fold of an orphan written while stopped does not stop the start either', async () => {
    const schema = 'CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT REFERENCES parent (id));';
    ({ here, there, server, node } = await startDataPair(schema, schema, ['parent', 'child']));
    await server.close();
    there.db.close();
    const db = there.connect();
    db.pragma('foreign_keys = OFF'); // as the sqlite3 shell has them
    db.exec("INSERT INTO child VALUES ('c1', 'nowhere'); CREATE TRIGGER child_out BEFORE DELETE ON child BEGIN SELECT RAISE(ABORT, 'children stay'); END;");
    db.pragma('foreign_keys = ON');
    server = await startServer(express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: ['parent', 'child'] })));
    const status = await request(server.url).get('/api/sync/status').set(AUTH);
    expect(status.status).toBe(200);
    expect(status.body.dataError?.code).toBe('APPLY_REFUSED');
    expect(status.body.dataError?.message).toContain('settling the constraints after a local write was refused by an app trigger (triggers holding a RAISE on child: child_out): "children stay"');
    expect((await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH)).status).toBe(409);

    db.exec(`DROP TRIGGER child_out; CREATE TRIGGER child_out BEFORE DELETE ON child ${SKIP_SYNC} BEGIN SELECT RAISE(ABORT, 'children stay'); END;`);
    expect((await request(server.url).get('/api/sync/status').set(AUTH)).body).toMatchObject({ dataError: null, conflicts: 1 });
    expect(tableRows(db, 'child')).toEqual([]);
  });
});
