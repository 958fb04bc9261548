import request from 'supertest';
import { CONFLICTS_PAGE_BYTES } from '../../lib/data/conflict-list';
import { trackedDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

/**
 * `GET /data/conflicts` was bounded to 1000 rows but not by size: a few
 * parked rows with multi-MB cells made an answer of that many MB (and read
 * them all into memory first). Now a page stops before `CONFLICTS_PAGE_BYTES`
 * of JSON (a single larger conflict comes alone), says `more: true` when
 * conflicts follow, and `after=<last id>` reads on.
 */
describe('GET /data/conflicts with big cells', () => {
  let here: ReturnType<typeof trackedDb>;
  let there: ReturnType<typeof trackedDb>;
  let server: TestServer;

  /** Parks `count` reports on `here`: `there` files the same match/team/scout later, each with notes of `noteBytes`. */
  const park = (count: number, noteBytes: number, from = 0): void => {
    for (const side of [here, there]) {
      const insert = side.db.prepare("INSERT INTO reports (id, team_id, match, scout, notes) VALUES (?, 't1', ?, 'sam', ?)");
      side.db.transaction(() => {
        for (let n = from; n < from + count; n += 1) insert.run(`${side === here ? 'a' : 'b'}${n}`, `Q${n}`, String(n % 10).repeat(noteBytes));
      })();
    }
    here.tracker.applyChangeset(there.tracker.readChanges(here.tracker.pullCursor(there.tracker.siteId), 10_000, here.tracker.siteId));
  };

  const pages = async (limit?: number): Promise<Array<{ ids: string[]; more: unknown; bytes: number }>> => {
    const read: Array<{ ids: string[]; more: unknown; bytes: number }> = [];
    let after = '';
    for (let turn = 0; turn < 100; turn += 1) {
      const answer = await request(server.url)
        .get('/api/sync/data/conflicts')
        .query({ ...(after === '' ? {} : { after }), ...(limit === undefined ? {} : { limit }) })
        .set(auth)
        .expect(200);
      const ids = (answer.body.conflicts as Array<{ id: string }>).map((conflict) => conflict.id);
      read.push({ ids, more: answer.body.more, bytes: Number(answer.headers['content-length']) });
      if (answer.body.more !== true) return read;
      after = ids[ids.length - 1] ?? '';
    }
    throw new Error('more than 100 pages');
  };

  beforeEach(async () => {
    here = trackedDb();
    there = trackedDb();
    for (const side of [here, there]) side.db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Robots')");
    server = await startServer(makeApp({ database: here.db, tables: ['teams', 'reports'] }));
  });
  afterEach(async () => {
    await server.close();
    here.cleanup();
    there.cleanup();
  });

  it('cuts a page before its bytes pass the cap; the pages after it hold the rest, each conflict once', async () => {
    park(12, 200 * 1024); // an entry: the parked row and its holder, ~400 KB of JSON
    const read = await pages();
    expect(read.length).toBeGreaterThan(3);
    for (const page of read) expect(page.bytes).toBeLessThanOrEqual(CONFLICTS_PAGE_BYTES);
    expect(read.slice(0, -1).every((page) => page.more === true && page.ids.length >= 1)).toBe(true);
    expect(read.at(-1)?.more).toBeUndefined();
    const all = read.flatMap((page) => page.ids);
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(here.tracker.listConflicts('', 1000).map((conflict) => conflict.id));
  });

  it('a conflict larger than the cap comes alone, and the page says more follow', async () => {
    park(2, 10);
    park(1, 3 * 1024 * 1024, 2);
    const read = await pages();
    expect(read.flatMap((page) => page.ids)).toHaveLength(3);
    const alone = read.find((page) => page.bytes > CONFLICTS_PAGE_BYTES);
    expect(alone?.ids).toHaveLength(1);
  });

  it('small conflicts: `limit` still pages, with `more` while more follow', async () => {
    park(5, 10);
    const read = await pages(2);
    expect(read.map((page) => page.ids.length)).toEqual([2, 2, 1]);
    expect(read.map((page) => page.more)).toEqual([true, true, undefined]);
    const whole = await request(server.url).get('/api/sync/data/conflicts').set(auth).expect(200);
    expect(Object.keys(whole.body)).toEqual(['conflicts']); // all of them: no `more`, as before
  });
});
