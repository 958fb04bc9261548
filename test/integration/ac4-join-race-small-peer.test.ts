import type express from 'express';
import { joinServersPerTest, type JoinServer } from '../helpers/join-servers';
import { addTeams } from '../helpers/snapshot';

/** Holds requests under `path` back for `ms`. */
function delay(route: string, ms: number): [string, express.RequestHandler] {
  return [route, (_req, _res, next) => void setTimeout(next, ms)];
}

/**
 * A new server C started with two peers at once (`syncAll`, as `start()` does): A, far ahead, is joined from by
 * snapshot; B, small, is paged from. B answers its handshake sooner than A, so B's round is past the wait for a join
 * (none under way yet) and its first page is on the way when A's join starts. Before, that page was applied during A's
 * download: the import found the database no longer empty and threw the snapshot away, and all of A came page by page.
 */
describe('a join from one peer while a pull from another is already on its way', () => {
  const servers = joinServersPerTest('ess-ac4-join-race-');

  it("waits with the other peer's pages until the import is done: the snapshot is kept, A is not paged from the start", async () => {
    const a = await servers.start('a', { before: [delay('/data/info', 150), delay('/data/snapshot', 600)] });
    addTeams(a.data.db, 3000, 'a');
    const b = await servers.start('b', { before: [delay('/data/changes', 300)] });
    addTeams(b.data.db, 50, 'b');
    const c = await servers.start('c', { peers: [a.syncUrl, b.syncUrl] });

    const results = await c.node.client?.syncAll();
    expect(results?.map((result) => [result.ok, result.rowsPulled])).toEqual([
      [true, 3000],
      [true, 50],
    ]);
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/snapshot'))).toHaveLength(1);
    // Imported: the pull from A starts at the snapshot's seq, never from 0.
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/changes') && /[?&]since=0(&|$)/.test(line))).toEqual([]);
    const ids = (server: JoinServer): string[] => server.data.db.prepare('SELECT id FROM teams ORDER BY id').pluck().all() as string[];
    expect(ids(c)).toHaveLength(3050);
    expect(ids(c)).toEqual([...new Set([...ids(a), ...ids(b)])].sort());
  });
});
