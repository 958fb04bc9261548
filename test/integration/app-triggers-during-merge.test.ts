import request from 'supertest';
import type { SyncNode } from '../../node/create-sync-node';
import { tableRows, type TempDb } from '../helpers/data';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { closeDataPair, startDataPair } from '../helpers/data-pair';

// App triggers on tracked tables fire when a peer's change is applied too. A
// RAISE then refuses the page with a clear 409 (nothing half-applied), and a
// trigger that skips merges (WHEN (SELECT applying FROM _sync_state) = 0) lets
// them through, its origin's writes travelling as ordinary changes.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['doc', 'note'];
const SKIP_MERGES = '(SELECT applying FROM _sync_state) = 0';

/** The schema of one server: a lock trigger that refuses edits, and an `updated_at` trigger stamping this server's name. */
function schema(server: string, skipMerges: boolean): string {
  const when = skipMerges ? ` AND ${SKIP_MERGES}` : '';
  return `
CREATE TABLE doc (id TEXT PRIMARY KEY NOT NULL, body TEXT, locked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, updated_at TEXT);
CREATE TRIGGER doc_locked BEFORE UPDATE OF body ON doc WHEN old.locked = 1${when} BEGIN SELECT RAISE(ABORT, 'document is locked'); END;
CREATE TRIGGER note_stamp AFTER UPDATE OF body ON note WHEN 1${when} BEGIN UPDATE note SET updated_at = 'stamped on ${server}' WHERE id = new.id; END;
`;
}

describe('app triggers on tracked tables during a merge', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  async function start(skipMerges: boolean): Promise<void> {
    ({ here, there, server, node } = await startDataPair(schema('here', skipMerges), schema('there', skipMerges), TABLES));
    here.db.exec("INSERT INTO doc (id, body) VALUES ('d1', 'draft'), ('d2', 'draft'); INSERT INTO note (id, body) VALUES ('n1', 'first')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(there.db, 'doc')).toEqual(tableRows(here.db, 'doc'));
  }

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  it('a RAISE refuses the page with 409 APPLY_REFUSED naming the table, the row, the trigger and the fix, both ways, and writes nothing', async () => {
    await start(false);
    // Push: there locks d1 while here edits it.
    there.db.exec("UPDATE doc SET locked = 1 WHERE id = 'd1'");
    here.db.exec("UPDATE doc SET body = 'edited here' WHERE id = 'd1'");
    const [pushed] = await node.syncNow();
    expect(pushed?.ok).toBe(false);
    expect(pushed?.error?.code).toBe('APPLY_REFUSED');
    expect(pushed?.error?.message).toContain('doc ["d1"]');
    expect(pushed?.error?.message).toContain('"document is locked"');
    expect(pushed?.error?.message).toContain('on doc: doc_locked');
    expect(pushed?.error?.message).toContain(`WHEN ${SKIP_MERGES}`);
    expect(there.db.prepare("SELECT body FROM doc WHERE id = 'd1'").pluck().get()).toBe('draft');
    // The route's answer: a 4xx in the JSON error shape, never a 500.
    const page = node.tracker?.readChanges(0, 100) ?? {};
    const answer = await request(server.url).post('/api/sync/data/changes').set(AUTH).send(page);
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ error: { code: 'APPLY_REFUSED', message: expect.stringMatching(/^a change to doc \["d1"\] from another server was refused by an app trigger .*"document is locked"\. App triggers fire when a peer's change is applied too/) } });
    expect(answer.body.error.message).toContain('Nothing of this page was applied');
    expect(there.db.prepare("SELECT body FROM doc WHERE id = 'd1'").pluck().get()).toBe('draft');

    // Pull: here locks d2 while there edits it; the pull is refused here, before the push.
    here.db.exec("UPDATE doc SET locked = 1 WHERE id = 'd2'");
    there.db.exec("UPDATE doc SET body = 'edited there' WHERE id = 'd2'; UPDATE note SET body = 'second' WHERE id = 'n1'");
    const before = node.tracker?.pullCursor(String(there.db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get()));
    const [pulled] = await node.syncNow();
    expect(pulled?.error?.code).toBe('APPLY_REFUSED');
    expect(pulled?.error?.message).toContain('doc ["d2"]');
    expect(pulled?.error?.message).toContain('"document is locked"');
    // Nothing half-applied: the note of the same page, and the cursor, stayed as they were.
    expect(tableRows(here.db, 'doc')).toEqual([
      ['d1', 'edited here', 1n],
      ['d2', 'draft', 1n],
    ]);
    expect(here.db.prepare("SELECT body FROM note WHERE id = 'n1'").pluck().get()).toBe('first');
    expect(node.tracker?.pullCursor(String(there.db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get()))).toBe(before);
  });

  it('a trigger that skips merges lets them through: the servers converge, and the origin stamps travel as ordinary changes', async () => {
    await start(true);
    there.db.exec("UPDATE doc SET locked = 1 WHERE id = 'd1'");
    here.db.exec("UPDATE doc SET body = 'edited here' WHERE id = 'd1'; UPDATE doc SET locked = 1 WHERE id = 'd2'");
    there.db.exec("UPDATE doc SET body = 'edited there' WHERE id = 'd2'; UPDATE note SET body = 'second' WHERE id = 'n1'");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    for (const table of TABLES) expect(tableRows(here.db, table)).toEqual(tableRows(there.db, table));
    expect(tableRows(here.db, 'note')).toEqual([['n1', 'second', 'stamped on there']]);
    expect(tableRows(here.db, 'doc')).toEqual([
      ['d1', 'edited here', 1n],
      ['d2', 'edited there', 1n],
    ]);
  });

  it('without the WHEN clause a deriving trigger runs again on the receiver, uncaptured: the servers differ (what the docs warn of)', async () => {
    await start(false);
    there.db.exec("UPDATE note SET body = 'second' WHERE id = 'n1'");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(there.db, 'note')).toEqual([['n1', 'second', 'stamped on there']]);
    expect(tableRows(here.db, 'note')).toEqual([['n1', 'second', 'stamped on here']]);
  });
});
