import type Database from 'better-sqlite3';
import request from 'supertest';
import type { SyncNode } from '../../node/create-sync-node';
import { tableRows, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { closeDataPair, startDataPair } from '../helpers/data-pair';

// Over HTTP, between two real servers: a merge that parks a row, the POST that
// resolves it, and the rounds after. What the merges and the settling write is
// logged by the capture triggers and dropped before each transaction commits,
// so once both servers agree a round moves nothing, either way, and every
// clock is the one its writer gave it.
const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const TABLES = ['teams', 'reports'];

/** Every row's clock, `table|pk → cl hlc site`, site ids as their strings. */
function rowClocks(db: Database.Database): [string, string][] {
  const rows = db
    .prepare(
      `SELECT t.name AS tbl, r.pk AS pk, r.cl AS cl, r.hlc AS hlc, s.site AS site FROM _sync_rows r
       JOIN _sync_tables t ON t.id = r.tbl JOIN _sync_sites s ON s.id = r.site ORDER BY 1, 2`,
    )
    .safeIntegers(true)
    .all() as { tbl: string; pk: string; cl: bigint; hlc: bigint; site: string }[];
  return rows.map((row) => [`${row.tbl}|${row.pk}`, `${row.cl} ${row.hlc} ${row.site}`]);
}

function cellClocks(db: Database.Database): string[] {
  return db
    .prepare('SELECT c.pk, c.col, c.hlc, s.site FROM _sync_cells c JOIN _sync_sites s ON s.id = c.site ORDER BY 1, 2')
    .raw(true)
    .safeIntegers(true)
    .all()
    .map((row) => (row as unknown[]).map(String).join(' '));
}

function unfolded(db: Database.Database): number {
  return db.prepare('SELECT count(*) FROM _sync_log WHERE seq > (SELECT folded FROM _sync_state)').pluck().safeIntegers(false).get() as number;
}

const siteOf = (db: Database.Database): string => db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;

describe('over HTTP: merges, parking and a resolution leave no write of theirs to send', () => {
  let here: TempDb;
  let there: TempDb;
  let server: TestServer;
  let node: SyncNode;

  beforeEach(async () => {
    ({ here, there, server, node } = await startDataPair(TEST_SCHEMA, TEST_SCHEMA, TABLES));
  });

  afterEach(async () => {
    await closeDataPair({ here, there, server, node });
  });

  async function quietRound(): Promise<void> {
    const [result] = await node.syncNow();
    expect(result).toMatchObject({ ok: true, rowsPulled: 0, rowsPushed: 0 });
  }

  it('a clash parked on both sides, resolved by POST /data/conflicts/:id/resolve: one change travels, nothing comes back, the clocks agree', async () => {
    here.db.exec("INSERT INTO teams (id, name) VALUES ('t', 'team')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true, rowsPushed: 1 });
    here.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r-here', 't', 'm1', 's')");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the later claim is there's
    there.db.exec("INSERT INTO reports (id, team_id, match, scout, score) VALUES ('r-there', 't', 'm1', 's', 7)");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true, rowsPulled: 1, rowsPushed: 1, dataConflicts: 1 });
    expect(unfolded(there.db)).toBe(0);
    await quietRound();
    expect(rowClocks(here.db)).toEqual(rowClocks(there.db));
    // r-there was there's own visible row, parked by the merge's settling: still alive, with its own birth.
    const born = rowClocks(there.db).find(([key]) => key === 'reports|r-there')?.[1];
    expect(born).toMatch(new RegExp(`^1 \\d+ ${siteOf(there.db)}$`));

    const list = await request(server.url).get('/api/sync/data/conflicts').set(AUTH);
    expect(list.status).toBe(200);
    const id = String((list.body as { conflicts: { id: string }[] }).conflicts[0]?.id);
    const resolved = await request(server.url).post(`/api/sync/data/conflicts/${id}/resolve`).set(AUTH).send({ action: 'restore', values: { scout: 's2' } });
    expect(resolved.status).toBe(200);
    expect(unfolded(there.db)).toBe(0);
    expect((await node.syncNow())[0]).toMatchObject({ ok: true, rowsPulled: 1, rowsPushed: 0, dataConflicts: 0 });
    await quietRound();
    expect(rowClocks(here.db)).toEqual(rowClocks(there.db));
    expect(rowClocks(there.db).find(([key]) => key === 'reports|r-there')?.[1]).toBe(born);
    expect(cellClocks(here.db)).toEqual(cellClocks(there.db));
    expect(cellClocks(there.db)).toEqual([expect.stringMatching(new RegExp(`^r-there \\d+ \\d+ ${siteOf(there.db)}$`)) as string]);
    for (const table of TABLES) expect(tableRows(here.db, table)).toEqual(tableRows(there.db, table));
    expect(tableRows(there.db, 'reports').map((row) => row[0])).toEqual(['r-here', 'r-there']);
  });

  it('a local delete that frees a parked row’s value: the fold brings it back on both sides without a new birth', async () => {
    here.db.exec("INSERT INTO teams (id, name) VALUES ('t', 'team')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true });
    here.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r-here', 't', 'm1', 's')");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    there.db.exec("INSERT INTO reports (id, team_id, match, scout) VALUES ('r-there', 't', 'm1', 's')");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true, dataConflicts: 1 });
    const born = rowClocks(there.db).find(([key]) => key === 'reports|r-there')?.[1];
    there.db.exec("DELETE FROM reports WHERE id = 'r-here'");
    expect((await node.syncNow())[0]).toMatchObject({ ok: true, rowsPulled: 1, rowsPushed: 0, dataConflicts: 0 });
    await quietRound();
    expect(rowClocks(here.db)).toEqual(rowClocks(there.db));
    expect(rowClocks(here.db).find(([key]) => key === 'reports|r-there')?.[1]).toBe(born);
    expect(tableRows(here.db, 'reports').map((row) => row[0])).toEqual(['r-there']);
  });
});
