import type express from 'express';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { joinServersPerTest } from '../helpers/join-servers';
import { addTeams } from '../helpers/snapshot';

const TEAMS = 300;

/**
 * A new server C starts from A's snapshot; its operator stops its sync client
 * twice while the snapshot downloads (a laptop's app restarted, a deploy), then
 * starts it again. Two failed downloads from one peer make the client page from
 * it instead (a link that cuts long answers); a download abandoned by `stop()`
 * is no failure of the link. Before, those two stops made C page all of A's
 * rows from since=0, its snapshot never tried again.
 */
describe('a snapshot download abandoned by stop()', () => {
  const servers = joinServersPerTest('ess-join-stopped-');

  it('does not count as a failed download: after two stops, the client still joins by snapshot', async () => {
    let held = 2;
    const holders: (() => void)[] = [];
    servers.beforeClose(() => holders.splice(0).forEach((release) => release()));
    /** Holds A's first two snapshot answers until the test ends (C gives up on them when stopped). */
    const hold: express.RequestHandler = (_req, _res, next) => {
      if (held === 0) return next();
      held -= 1;
      holders.push(() => next());
    };
    const a = await servers.start('a', { before: [['/data/snapshot', hold]] });
    addTeams(a.data.db, TEAMS, 'a');
    const c = await servers.start('c', { peers: [a.syncUrl] });
    const client = c.node.client;
    if (client === undefined) throw new Error('C has no sync client');
    const snapshotsAsked = (): number => a.asked.filter((line) => line.startsWith('GET /api/sync/data/snapshot')).length;

    for (let stop = 1; stop <= 2; stop += 1) {
      const round = client.syncPeer(a.syncUrl);
      while (snapshotsAsked() < stop) await new Promise((resolve) => setTimeout(resolve, 20));
      await client.stop();
      expect(await round).toMatchObject({ ok: false, error: { code: 'STOPPED' } });
    }

    const phases: SyncProgress['phase'][] = [];
    client.on('progress', (progress: SyncProgress) => phases.push(progress.phase));
    expect(await client.syncPeer(a.syncUrl)).toMatchObject({ ok: true, rowsPulled: TEAMS });
    expect(snapshotsAsked()).toBe(3);
    expect(phases).toContain('snapshot');
    // Imported, not paged: C never asked A for its pages from the start.
    expect(a.asked.filter((line) => line.startsWith('GET /api/sync/data/changes') && /[?&]since=0(&|$)/.test(line))).toEqual([]);
    expect(c.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(TEAMS);
  });
});
