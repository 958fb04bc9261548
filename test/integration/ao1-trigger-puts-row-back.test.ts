import request from 'supertest';
import { nextMillisecond } from '../helpers/clock';
import { tableRows, type TempDb } from '../helpers/data';
import { closeDataPair, startDataPair } from '../helpers/data-pair';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import type { SyncNode } from '../../node/create-sync-node';

// A write of the sync that moves or deletes a row (a merge's delete, the constraint rules parking a row or
// bringing one back) fires the app's triggers. An AFTER DELETE trigger writing the deleted row back (an
// "undelete" or audit-restore trigger), or an AFTER INSERT one deleting the row that came back, was not
// noticed: the row was then in its table and in its parked rows, or in neither, or alive here and dead
// everywhere else, on this server only, for good, while every round said ok. Such a write is refused now as a
// RAISE(IGNORE) is (409 APPLY_REFUSED naming the table's app triggers and the fix); once the trigger skips the
// sync's writes, the servers converge.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const SCHEMA = 'CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE);';
const PUT_BACK = 'AFTER DELETE ON item BEGIN INSERT INTO item VALUES (old.id, old.code); END';
const TAKEN_OUT = 'AFTER INSERT ON item BEGIN DELETE FROM item WHERE id = new.id; END';

/**
 * What the servers write before the trigger on `there` is made (synced first when `synced`), the trigger, what
 * `here` writes then (if anything), what the refusal says, and what both hold once settled.
 */
interface Case {
  readonly before: (here: TempDb, there: TempDb) => void;
  readonly synced: boolean;
  readonly trigger: string;
  readonly write?: string;
  readonly refused: string;
  readonly settled: unknown[][];
}

/** `early` (here) and `late` (there) both claim K; here's claim is earlier: synced, `late` is parked on both. */
function twoClaims(here: TempDb, there: TempDb): void {
  here.db.exec("INSERT INTO item VALUES ('early', 'K')");
  nextMillisecond();
  there.db.exec("INSERT INTO item VALUES ('late', 'K')");
}

const CASES: Readonly<Record<string, Case>> = {
  'the constraint rules park a row (a UNIQUE claim comes in), and an AFTER DELETE trigger writes it back': {
    before: twoClaims,
    synced: false,
    trigger: PUT_BACK,
    refused: '"an app trigger wrote the row back into its table right after it was deleted"',
    settled: [['early', 'K']],
  },
  "a merge deletes a row, and an AFTER DELETE trigger writes it back": {
    before: (here) => here.db.exec("INSERT INTO item VALUES ('x', 'X')"),
    synced: true,
    trigger: PUT_BACK,
    write: "DELETE FROM item WHERE id = 'x'",
    refused: `a change to item ["x"] from another server was refused by an app trigger (app triggers on item: keep): "an app trigger wrote the row back into its table right after it was deleted"`,
    settled: [],
  },
  'a parked row comes back (the holder is deleted), and an AFTER INSERT trigger deletes it again': {
    before: twoClaims,
    synced: true,
    trigger: TAKEN_OUT,
    write: "DELETE FROM item WHERE id = 'early'",
    refused: '"an app trigger deleted the row right after it was written into its table"',
    settled: [['late', 'K']],
  },
};

describe('an app trigger undoing a move or a delete of the sync', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  async function syncTwice(): Promise<void> {
    for (let round = 0; round < 2; round += 1) expect((await node.syncNow())[0]).toMatchObject({ ok: true });
  }

  it.each(Object.entries(CASES))('%s: 409 APPLY_REFUSED, nothing moved; the servers converge once the trigger skips the sync', async (_name, test) => {
    ({ here, there, server, node } = await startDataPair(SCHEMA, SCHEMA, ['item']));
    test.before(here, there);
    if (test.synced) await syncTwice();
    there.db.exec(`CREATE TRIGGER keep ${test.trigger}`);
    if (test.write !== undefined) here.db.exec(test.write);
    const before = tableRows(there.db, 'item');
    const [synced] = await node.syncNow();
    expect(synced?.ok).toBe(false);
    expect(synced?.error?.code).toBe('APPLY_REFUSED');
    expect(synced?.error?.message).toContain(test.refused);
    expect(synced?.error?.message).toContain('WHEN (SELECT applying FROM _sync_state) = 0');
    expect(tableRows(there.db, 'item')).toEqual(before);

    there.db.exec(`DROP TRIGGER keep; CREATE TRIGGER keep ${test.trigger.replace(' BEGIN', ' WHEN (SELECT applying FROM _sync_state) = 0 BEGIN')}`);
    await syncTwice();
    expect(tableRows(there.db, 'item')).toEqual(test.settled);
    expect(tableRows(here.db, 'item')).toEqual(test.settled);
    const conflicts = await Promise.all([request(server.url).get('/api/sync/data/conflicts').set(AUTH), Promise.resolve(node.tracker?.listConflicts() ?? [])]);
    expect(conflicts[0].body.conflicts.map((entry: { key: unknown }) => entry.key)).toEqual(conflicts[1].map((entry) => entry.key));
  });
});
