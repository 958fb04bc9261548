import request from 'supertest';
import type { SyncNode } from '../../node/create-sync-node';
import { nextMillisecond } from '../helpers/clock';
import { tableRows, type TempDb } from '../helpers/data';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { closeDataPair, startDataPair } from '../helpers/data-pair';

// The constraint rules run after this server's own writes too: when the capture
// log is folded, a local write that brings a parent back returns its parked
// orphans to their table, one that frees a UNIQUE value returns the row parked
// for it, one that claims a value a parked row holds first is moved out. An app
// trigger refusing one of these moves (RAISE, or RAISE(IGNORE) skipping it) was
// refused in the words of a merge: "another server's page", "when a peer's change
// is applied", "Nothing of this page was applied", though no page was there. The
// refusal now says what happened: a local write's settling, what stays (the local
// write) and what is tried again. Code and status stay APPLY_REFUSED, 409.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['parent', 'child', 'item'];
const SCHEMA = `CREATE TABLE parent (id TEXT PRIMARY KEY NOT NULL);
CREATE TABLE child (id TEXT PRIMARY KEY NOT NULL, parent_id TEXT REFERENCES parent (id));
CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE);`;
const SKIP_SYNC = 'WHEN (SELECT applying FROM _sync_state) = 0';

/** A local write on `there` whose settling an app trigger refuses: the trigger, the write, how the refusal begins, and the state once the trigger skips the sync's writes. */
interface Case {
  /** The trigger's name, what it fires on, its WHEN condition (or none) and its body. */
  readonly trigger: { readonly name: string; readonly on: string; readonly when?: string; readonly body: string };
  readonly write: string;
  readonly refused: string;
  readonly table: string;
  readonly settled: unknown[][];
}

/** The case's trigger; with `skipSync`, skipping the sync's own writes (the fix the refusal gives). */
function triggerSql({ trigger }: Case, skipSync = false): string {
  const conditions = [trigger.when, skipSync ? '(SELECT applying FROM _sync_state) = 0' : undefined].filter((condition) => condition !== undefined);
  const when = conditions.length === 0 ? '' : ` WHEN ${conditions.join(' AND ')}`;
  return `CREATE TRIGGER ${trigger.name} ${trigger.on}${when} BEGIN ${trigger.body} END;`;
}

/** How the refusal of a row's `move`, skipped by `trigger` on `table`, begins. */
function moveRefused(move: string, table: string, trigger: string): string {
  return `settling the constraints after a local write (${move}) was refused by an app trigger (triggers holding a RAISE on ${table}: ${trigger}): "RAISE(IGNORE) skipped the write`;
}

const IGNORE = 'SELECT RAISE(IGNORE);';
const CASES: Readonly<Record<string, Case>> = {
  'a local insert of a parent brings its parked orphan back, and a RAISE(IGNORE) skips it': {
    trigger: { name: 'child_back', on: 'BEFORE INSERT ON child', body: IGNORE },
    write: "INSERT INTO parent VALUES ('p1')",
    refused: moveRefused('a parked child row ["c1"] coming back into its table', 'child', 'child_back'),
    table: 'child',
    settled: [['c1', 'p1']],
  },
  'a local insert of a parent brings its parked orphan back, and a RAISE(ABORT) refuses it': {
    trigger: { name: 'child_back', on: 'BEFORE INSERT ON child', body: "SELECT RAISE(ABORT, 'no child comes back');" },
    write: "INSERT INTO parent VALUES ('p1')",
    // Which move it refused is not known there: every table's triggers holding a RAISE are named.
    refused: 'settling the constraints after a local write was refused by an app trigger (triggers holding a RAISE on child: child_back): "no child comes back"',
    table: 'child',
    settled: [['c1', 'p1']],
  },
  'a local delete frees a UNIQUE value, and a RAISE(IGNORE) skips the parked row coming back': {
    trigger: { name: 'item_back', on: 'BEFORE INSERT ON item', when: "new.id = 'late'", body: IGNORE },
    write: "DELETE FROM item WHERE id = 'early'",
    refused: moveRefused('a parked item row ["late"] coming back into its table', 'item', 'item_back'),
    table: 'item',
    settled: [['late', 'K']],
  },
  'a local insert of an orphan (foreign keys off on its connection) moves it out of its table, and a RAISE(IGNORE) skips the move': {
    trigger: { name: 'child_out', on: 'BEFORE DELETE ON child', when: "old.id = 'c2'", body: IGNORE },
    write: "PRAGMA foreign_keys = OFF; INSERT INTO child VALUES ('c2', 'nowhere'); PRAGMA foreign_keys = ON;",
    refused: moveRefused('moving the child row ["c2"] out of its table, to its parked rows', 'child', 'child_out'),
    table: 'child',
    settled: [],
  },
};

describe("an app trigger refusing the constraint rules' move after a local write", () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  /**
   * `here` syncs with `there`: on both, orphan c1 (its parent p1 deleted on `there` while `here` made it) and
   * item `late` (it claims K after `early`) are parked.
   */
  async function start(): Promise<void> {
    ({ here, there, server, node } = await startDataPair(SCHEMA, SCHEMA, TABLES));
    here.db.exec("INSERT INTO parent VALUES ('p1'); INSERT INTO item VALUES ('early', 'K')");
    nextMillisecond();
    there.db.exec("INSERT INTO item VALUES ('late', 'K')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    there.db.exec("DELETE FROM parent WHERE id = 'p1'");
    here.db.exec("INSERT INTO child VALUES ('c1', 'p1')");
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    for (const side of [here, there]) expect([tableRows(side.db, 'child'), tableRows(side.db, 'item')]).toEqual([[], [['early', 'K']]]);
  }

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  function expectLocalRefusal(error: { code?: string; message?: string } | undefined, test: Case): void {
    expect(error?.code).toBe('APPLY_REFUSED');
    expect(error?.message?.slice(0, test.refused.length)).toBe(test.refused);
    expect(error?.message).toContain(SKIP_SYNC);
    expect(error?.message).toContain('The local writes stay as they were made');
    expect(error?.message).not.toMatch(/page|another server|peer/);
  }

  it.each(Object.entries(CASES))('%s: 409 APPLY_REFUSED in local terms, the local write kept; settles once the trigger skips the sync', async (_name, test) => {
    await start();
    there.db.exec(triggerSql(test));
    there.db.exec(test.write);
    const before = tableRows(there.db, test.table);
    // Any read of there's changes folds the local write first: a peer's pull, and there's own answer to a push.
    const pulled = await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH);
    expect(pulled.status).toBe(409);
    expectLocalRefusal(pulled.body.error, test);
    const pushed = await request(server.url).post('/api/sync/data/changes').set(AUTH).send(node.tracker?.readChanges(0, 100) ?? {});
    expect(pushed.status).toBe(409);
    expectLocalRefusal(pushed.body.error, test);
    expect(tableRows(there.db, test.table)).toEqual(before);

    there.db.exec(`DROP TRIGGER ${test.trigger.name}; ${triggerSql(test, true)}`);
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(there.db, test.table)).toEqual(test.settled);
    expect(tableRows(here.db, test.table)).toEqual(test.settled);
  });

  it("on the server syncing: its own sync is refused the same way, in local terms", async () => {
    await start();
    const test = CASES['a local insert of a parent brings its parked orphan back, and a RAISE(IGNORE) skips it'] as Case;
    here.db.exec(triggerSql(test));
    here.db.exec(test.write);
    const [synced] = await node.syncNow();
    expect(synced?.ok).toBe(false);
    expectLocalRefusal(synced?.error, test);
  });

  // Every fold is refused until the trigger is fixed: data sync is stopped. /status and /metrics answered that 409
  // (a RAISE(ABORT) 500) instead of their figures, so the status page, the peers' and files' state and the
  // `data_stopped` gauge were out of sight. They answer 200, the refusal in `dataError`, as for SCHEMA_CHANGED.
  it.each(Object.entries(CASES))('%s: GET /status and /metrics still answer 200, the refusal in dataError', async (_name, test) => {
    await start();
    there.db.exec(triggerSql(test));
    there.db.exec(test.write);
    const status = await request(server.url).get('/api/sync/status').set(AUTH);
    expect(status.status).toBe(200);
    expect(status.body.dataError?.code).toBe('APPLY_REFUSED');
    expectLocalRefusal(status.body.dataError, test);
    expect(status.body.conflicts).toBe(2);
    expect(typeof status.body.seq).toBe('number');
    const metrics = await request(server.url).get('/api/sync/metrics').set(AUTH);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('express_sqlite_sync_data_stopped{code="APPLY_REFUSED"} 1');
    expect((await request(server.url).get('/api/sync/data/changes?since=0').set(AUTH)).status).toBe(409);
  });
});
