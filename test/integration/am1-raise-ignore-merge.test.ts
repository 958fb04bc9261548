import type Database from 'better-sqlite3';
import request from 'supertest';
import type { SyncNode } from '../../node/create-sync-node';
import { tableRows, type TempDb } from '../helpers/data';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { closeDataPair, startDataPair } from '../helpers/data-pair';

// docs/API.md, enableCapture: an app trigger's RAISE(IGNORE) on a tracked table
// fired on a merge too, and skipped the merge's write there: the page was
// applied and answered ok, the metadata said the row held the sender's values,
// the table did not, and the servers differed for good with nobody told. Now
// such a write (it changes no row where it must change one) refuses the whole
// page with 409 APPLY_REFUSED, as a RAISE(ABORT) does, naming the trigger and
// the fix; once the trigger is dropped or skips merges, the next round converges.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['note'];
const SKIP_MERGES = 'WHEN (SELECT applying FROM _sync_state) = 0';
const TABLE = 'CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL, body TEXT);';

/** A write the trigger drops on the receiver: the trigger (one WHEN condition, or none), and the sender's writes after the first round. */
interface Case {
  readonly event: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly when: string;
  /** The row the refusal names. */
  readonly row: string;
  /** The dropped write, and another one of the same page (nothing of which may be written). */
  readonly writes: string;
}

const CASES: readonly Case[] = [
  { event: 'INSERT', when: 'NEW.n < 0', row: 'n3', writes: "INSERT INTO note VALUES ('n3', -1, 'negative'); UPDATE note SET body = 'edited' WHERE id = 'n1'" },
  { event: 'UPDATE', when: 'NEW.n < 0', row: 'n1', writes: "UPDATE note SET n = -1 WHERE id = 'n1'; INSERT INTO note VALUES ('n3', 3, 'third')" },
  { event: 'DELETE', when: '', row: 'n1', writes: "DELETE FROM note WHERE id = 'n1'; INSERT INTO note VALUES ('n3', 3, 'third')" },
];

function trigger(test: Case, skipMerges = false): string {
  const conditions = [test.when, skipMerges ? '(SELECT applying FROM _sync_state) = 0' : ''].filter((condition) => condition !== '');
  const when = conditions.length === 0 ? '' : ` WHEN ${conditions.join(' AND ')}`;
  return `CREATE TRIGGER note_ignored BEFORE ${test.event} ON note${when} BEGIN SELECT RAISE(IGNORE); END;`;
}

/** What a refused page must leave as it was: the table and the replicated state's metadata. */
function state(db: Database.Database): unknown[] {
  return [tableRows(db, 'note'), ...['_sync_rows', '_sync_cells'].map((meta) => db.prepare(`SELECT * FROM ${meta} ORDER BY tbl, pk`).raw(true).safeIntegers(true).all())];
}

function expectRefusal(error: { code?: string; message?: string } | undefined, test: Case): void {
  expect(error?.code).toBe('APPLY_REFUSED');
  expect(error?.message).toContain(`note ["${test.row}"]`);
  expect(error?.message).toContain('on note: note_ignored');
  expect(error?.message).toContain('RAISE(IGNORE)');
  expect(error?.message).toContain(SKIP_MERGES);
  expect(error?.message).toContain('Nothing of this page was applied');
}

describe('an app trigger whose RAISE(IGNORE) drops a merged write', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  /** Two servers holding n1 and n2, synced; the trigger made on `receiver` after. */
  async function start(test: Case, receiver: 'here' | 'there'): Promise<void> {
    ({ here, there, server, node } = await startDataPair(TABLE, TABLE, TABLES));
    here.db.exec("INSERT INTO note VALUES ('n1', 1, 'first'), ('n2', 2, 'second')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(there.db, 'note')).toEqual(tableRows(here.db, 'note'));
    (receiver === 'here' ? here : there).db.exec(trigger(test));
  }

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  it.each(CASES.flatMap((test) => (['dropped', 'given the WHEN clause'] as const).map((fix) => [test.event, fix, test] as const)))(
    'on %s, on the server pushed to: 409 APPLY_REFUSED naming the trigger, nothing of the page written; converges once the trigger is %s',
    async (_event, fix, test) => {
      await start(test, 'there');
      here.db.exec(test.writes);
      const before = state(there.db);
      const [pushed] = await node.syncNow();
      expect(pushed?.ok).toBe(false);
      expectRefusal(pushed?.error, test);
      expect(state(there.db)).toEqual(before);
      // The route's answer: the JSON error shape, 409.
      const answer = await request(server.url).post('/api/sync/data/changes').set(AUTH).send(node.tracker?.readChanges(0, 100) ?? {});
      expect(answer.status).toBe(409);
      expectRefusal(answer.body.error, test);
      expect(state(there.db)).toEqual(before);

      there.db.exec(`DROP TRIGGER note_ignored; ${fix === 'dropped' ? '' : trigger(test, true)}`);
      expect((await node.syncNow())[0]).toMatchObject({ ok: true });
      expect(tableRows(there.db, 'note')).toEqual(tableRows(here.db, 'note'));
    },
  );

  it.each(CASES.map((test) => [test.event, test] as const))('on %s, on the server pulling: refused the same way, nothing written, and converges once the trigger skips merges', async (_event, test) => {
    await start(test, 'here');
    there.db.exec(test.writes);
    const before = state(here.db);
    const [pulled] = await node.syncNow();
    expect(pulled?.ok).toBe(false);
    expectRefusal(pulled?.error, test);
    expect(state(here.db)).toEqual(before);

    here.db.exec(`DROP TRIGGER note_ignored; ${trigger(test, true)}`);
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(here.db, 'note')).toEqual(tableRows(there.db, 'note'));
  });
});
