import type { SyncNode } from '../../node/create-sync-node';
import { nextMillisecond } from '../helpers/clock';
import { tableRows, type TempDb } from '../helpers/data';
import { type TestServer } from '../helpers/server';
import { closeDataPair, startDataPair } from '../helpers/data-pair';

// A write that changed no row where it must change one is taken for a
// RAISE(IGNORE) that kept the row (am1-raise-ignore-merge, am1-raise-ignore-settling).
// The deletes that move a row out of its table (to its parked rows) counted the
// rows deleted only: an app trigger that deletes the row itself (a BEFORE DELETE
// trigger deleting its own row, or one whose write to another table fires a
// trigger there that deletes it) makes the DELETE change no row while the row is
// gone, and the page was refused, every round, for a row nothing kept. A row that
// is gone lost nothing: the page applies and the servers converge. A row a
// trigger really keeps is still refused.
const TABLES = ['item'];
const SCHEMA = `CREATE TABLE item (id TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE, mine INTEGER NOT NULL DEFAULT 0);
CREATE TABLE item_bin (id TEXT);`;

/** What the trigger on the receiver does when the row marked `mine` is deleted. */
const DELETES = {
  'deletes its own row': 'CREATE TRIGGER item_gone BEFORE DELETE ON item WHEN old.mine = 1 BEGIN DELETE FROM item WHERE id = old.id; END;',
  'writes a table whose trigger deletes it':
    'CREATE TRIGGER item_gone BEFORE DELETE ON item WHEN old.mine = 1 BEGIN INSERT INTO item_bin VALUES (old.id); END; CREATE TRIGGER bin_empties AFTER INSERT ON item_bin BEGIN DELETE FROM item WHERE id = new.id; END;',
  'RAISE(IGNORE)s it': 'CREATE TRIGGER item_gone BEFORE DELETE ON item WHEN old.mine = 1 BEGIN SELECT RAISE(IGNORE); END;',
} as const;
type Deletes = keyof typeof DELETES;
const CASES = Object.keys(DELETES) as Deletes[];

describe('a row an app trigger deletes itself while the sync moves it out of its table', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  /** `here` syncs with `there` (its peer, served over HTTP); both start empty. */
  async function start(): Promise<void> {
    ({ here, there, server, node } = await startDataPair(SCHEMA, SCHEMA, TABLES));
  }

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  /** The pushed page is refused naming the row and the trigger; or, when the row is gone, applies and the servers converge. */
  async function expectOutcome(deletes: Deletes, row: string): Promise<void> {
    const [synced] = await node.syncNow();
    if (deletes === 'RAISE(IGNORE)s it') {
      expect(synced?.ok).toBe(false);
      expect(synced?.error?.code).toBe('APPLY_REFUSED');
      // A merge's own write names `item ["r1"]`; the constraint rules' move, `the item row ["late"]`.
      expect(synced?.error?.message).toMatch(new RegExp(`item (row )?\\[${JSON.stringify(row)}\\]`));
      expect(synced?.error?.message).toContain('on item: item_gone');
      return;
    }
    expect(synced?.error?.message).toBeUndefined();
    expect(synced).toMatchObject({ ok: true });
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    expect(tableRows(there.db, 'item')).toEqual(tableRows(here.db, 'item'));
    expect(parkedIds(here)).toEqual(parkedIds(there));
    expect(parkedIds(there)).toHaveLength(1);
  }

  /** The conflict ids of a side's parked rows (its one tracked table's). */
  function parkedIds(side: TempDb): string[] {
    const name = side.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '\\_sync\\_parked\\_%' ESCAPE '\\'").pluck().get() as string;
    return side.db.prepare(`SELECT _sync_id FROM "${name}" ORDER BY _sync_id`).pluck().all() as string[];
  }

  it.each(CASES)('the UNIQUE rule parks a later claim of a value, and the trigger %s', async (deletes) => {
    await start();
    // here claims K first; there claims it later: applying here's page, there parks its own row.
    here.db.exec("INSERT INTO item (id, code) VALUES ('early', 'K')");
    nextMillisecond();
    there.db.exec(`INSERT INTO item (id, code, mine) VALUES ('late', 'K', 1); ${DELETES[deletes]}`);
    await expectOutcome(deletes, 'late');
    if (deletes !== 'RAISE(IGNORE)s it') expect(tableRows(there.db, 'item')).toEqual([['early', 'K', 0n]]);
  });

  it.each(CASES)('a new life of a row clashes with a UNIQUE value, and the trigger %s as its old life leaves the table', async (deletes) => {
    await start();
    here.db.exec("INSERT INTO item (id, code, mine) VALUES ('r1', 'A', 1)");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    there.db.exec(`INSERT INTO item (id, code) VALUES ('r2', 'K'); ${DELETES[deletes]}`);
    nextMillisecond();
    // r1 dies and lives again with K, which there's r2 claimed first: there parks the new life, deleting the old one.
    here.db.exec("DELETE FROM item WHERE id = 'r1'; INSERT INTO item (id, code, mine) VALUES ('r1', 'K', 1)");
    await expectOutcome(deletes, 'r1');
    if (deletes !== 'RAISE(IGNORE)s it') expect(tableRows(there.db, 'item')).toEqual([['r2', 'K', 0n]]);
  });
});
