import { nextMillisecond } from '../helpers/clock';
import { syncRefusal, tableRows, trackedServers, type TempDb, type TrackedServer } from '../helpers/data';
import { closeDataPair, startDataPair } from '../helpers/data-pair';
import type { TestServer } from '../helpers/server';
import type { SyncNode } from '../../node/create-sync-node';
import { BULK_APPLY_CHANGES } from '../../lib/data/apply-pages';

// A merge's insert or update of a row fires the app's triggers on its table. An AFTER INSERT trigger deleting
// the row just inserted, an AFTER UPDATE trigger writing the old value back or deleting the row: each left the receiver's table other than its metadata says (and than the
// sender's), on that server only, for good, while every round said ok. Such a write is refused now (409 APPLY_REFUSED, nothing of the page written, the message
// naming the table, the row, what the trigger did and the fix); once the trigger skips merges, the servers converge.
const SCHEMA = 'CREATE TABLE note (id TEXT PRIMARY KEY NOT NULL, body TEXT, stamp TEXT); CREATE TABLE audit (id TEXT, what TEXT);';
const SKIP_MERGES = 'WHEN (SELECT applying FROM _sync_state) = 0';

/** The trigger made on `there`, what `here` writes then, what the refusal says, and what both hold once the trigger skips merges. */
interface Case {
  readonly trigger: string;
  readonly write: string;
  readonly refused: string;
  readonly settled: unknown[][];
}

const FIRST = ['n1', 'first', null];
const CASES: Readonly<Record<string, Case>> = {
  'an AFTER INSERT trigger deletes the row the merge inserted': {
    trigger: 'AFTER INSERT ON note BEGIN DELETE FROM note WHERE id = NEW.id; END',
    write: "INSERT INTO note VALUES ('n2', 'hello', NULL)",
    refused: 'a change to note ["n2"] from another server was refused by an app trigger (app triggers on note: undo): "an app trigger deleted the row right after it was written into its table"',
    settled: [FIRST, ['n2', 'hello', null]],
  },
  'an AFTER UPDATE trigger writes the old value back': {
    trigger: 'AFTER UPDATE ON note BEGIN UPDATE note SET body = OLD.body WHERE id = NEW.id; END',
    write: "UPDATE note SET body = 'second' WHERE id = 'n1'",
    refused: 'a change to note ["n1"] from another server was refused by an app trigger (app triggers on note: undo): "an app trigger wrote the old value of body back right after it was updated"',
    settled: [['n1', 'second', null]],
  },
  'an AFTER UPDATE trigger deletes the row the merge updated': {
    trigger: 'AFTER UPDATE ON note BEGIN DELETE FROM note WHERE id = NEW.id; END',
    write: "UPDATE note SET body = 'second' WHERE id = 'n1'",
    refused: 'a change to note ["n1"] from another server was refused by an app trigger (app triggers on note: undo): "an app trigger deleted the row right after it was written into its table"',
    settled: [['n1', 'second', null]],
  },
};

/**
 * App triggers that write during a merge without undoing it are let through, as before (what they write is not
 * captured: docs/API.md): the same value again, a value of its own in a column of a row inserted, another column
 * than the merge wrote, another table.
 */
const ALLOWED: Readonly<Record<string, { readonly trigger: string; readonly write: string; readonly there: unknown[][] }>> = {
  'an AFTER INSERT trigger writing the same values again': {
    trigger: 'AFTER INSERT ON note BEGIN UPDATE note SET body = NEW.body, stamp = NEW.stamp WHERE id = NEW.id; END',
    write: "INSERT INTO note VALUES ('n2', 'hello', NULL)",
    there: [FIRST, ['n2', 'hello', null]],
  },
  'an AFTER INSERT trigger setting a column of the row the merge inserted to a value of its own (a derived write, as on an update: ap6-trigger-stamp-on-insert)': {
    trigger: 'AFTER INSERT ON note BEGIN UPDATE note SET body = upper(NEW.body) WHERE id = NEW.id; END',
    write: "INSERT INTO note VALUES ('n2', 'hello', NULL)",
    there: [FIRST, ['n2', 'HELLO', null]],
  },
  'an AFTER UPDATE OF body trigger stamping a column the merge did not write': {
    trigger: "AFTER UPDATE OF body ON note BEGIN UPDATE note SET stamp = 'there' WHERE id = NEW.id; END",
    write: "UPDATE note SET body = 'second' WHERE id = 'n1'",
    there: [['n1', 'second', 'there']],
  },
  'an AFTER INSERT / UPDATE trigger writing another table': {
    trigger: "AFTER UPDATE ON note BEGIN INSERT INTO audit VALUES (NEW.id, 'updated'); END",
    write: "UPDATE note SET body = 'second' WHERE id = 'n1'",
    there: [['n1', 'second', null]],
  },
};

describe('an app trigger undoing the insert or update a merge just made', () => {
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

  /** Both servers hold n1 ('first'); `there` gets the trigger `undo`, `here` writes `write`, and the node syncs. */
  async function writeThrough(trigger: string, write: string, create = 'CREATE TRIGGER'): Promise<Awaited<ReturnType<SyncNode['syncNow']>>[number] | undefined> {
    ({ here, there, server, node } = await startDataPair(SCHEMA, SCHEMA, ['note']));
    here.db.exec("INSERT INTO note VALUES ('n1', 'first', NULL)");
    await syncTwice();
    there.db.exec(`${create} undo ${trigger}`);
    nextMillisecond();
    here.db.exec(write);
    return (await node.syncNow())[0];
  }

  it.each(Object.entries(CASES))('%s: 409 APPLY_REFUSED, nothing written; the servers converge once the trigger skips merges', async (_name, test) => {
    const synced = await writeThrough(test.trigger, test.write);
    expect(synced?.ok).toBe(false);
    expect(synced?.error?.code).toBe('APPLY_REFUSED');
    expect(synced?.error?.message).toContain(test.refused);
    expect(synced?.error?.message).toContain(SKIP_MERGES);
    expect(synced?.error?.message).toContain('Nothing of this page was applied');
    expect(tableRows(there.db, 'note')).toEqual([FIRST]);

    there.db.exec(`DROP TRIGGER undo; CREATE TRIGGER undo ${test.trigger.replace(' BEGIN', ` ${SKIP_MERGES} BEGIN`)}`);
    await syncTwice();
    expect(tableRows(there.db, 'note')).toEqual(test.settled);
    expect(tableRows(here.db, 'note')).toEqual(test.settled);
  });

  it("a TEMP trigger made on the server's connection is looked for too", async () => {
    const synced = await writeThrough('AFTER INSERT ON main.note BEGIN DELETE FROM note WHERE id = NEW.id; END', "INSERT INTO note VALUES ('n2', 'hello', NULL)", 'CREATE TEMP TRIGGER');
    expect(synced?.error?.code).toBe('APPLY_REFUSED');
    expect(synced?.error?.message).toContain('(app triggers on note: undo): "an app trigger deleted the row right after it was written into its table"');
    expect(tableRows(there.db, 'note')).toEqual([FIRST]);
  });

  it.each(Object.entries(ALLOWED))('%s: applied as before', async (_name, test) => {
    expect(await writeThrough(test.trigger, test.write)).toMatchObject({ ok: true });
    expect(tableRows(there.db, 'note')).toEqual(test.there);
  });
});

describe('an app trigger undoing the inserts of a bulk apply', () => {
  let servers: TrackedServer[];
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  it(`a page of ${BULK_APPLY_CHANGES} new rows (capture triggers set aside) is refused as a whole`, () => {
    servers = trackedServers(2, SCHEMA, ['note']);
    const [a, b] = servers as [TrackedServer, TrackedServer];
    const insert = a.temp.db.prepare('INSERT INTO note VALUES (?, ?, NULL)');
    a.temp.db.transaction(() => {
      for (let i = 0; i < BULK_APPLY_CHANGES; i += 1) insert.run(`n${String(i).padStart(5, '0')}`, `body ${i}`);
    })();
    b.temp.db.exec("CREATE TRIGGER undo AFTER INSERT ON note WHEN NEW.id = 'n00700' BEGIN DELETE FROM note WHERE id = NEW.id; END");
    const page = a.tracker.readChanges(0, 2 * BULK_APPLY_CHANGES, b.tracker.siteId);
    expect(page.changes).toHaveLength(BULK_APPLY_CHANGES);
    const refusal = syncRefusal(() => b.tracker.applyChangeset(page));
    expect(refusal.code).toBe('APPLY_REFUSED');
    expect(refusal.message).toContain('a change to note ["n00700"] from another server was refused by an app trigger');
    expect(tableRows(b.temp.db, 'note')).toEqual([]);
  });
});
