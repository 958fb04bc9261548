import type express from 'express';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import { tableRows } from '../helpers/data';
import { joinServersPerTest } from '../helpers/join-servers';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams } from '../helpers/snapshot';

/** Rows B writes: under the servers' `snapshotMinChanges` (100), so C takes them page by page rather than joining. */
const TEAMS = 60;

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/**
 * B and C list each other, and both rounds run at once (periodic syncs on
 * both ends of a link): B's push to C is on its way (C applies it a moment
 * later: the test holds it until C's pull reached B) when C's pull asks B for
 * the same rows. Before, B answered the pull at once with every row the push
 * was carrying: each row crossed the link twice (ad2 measured up to a third
 * more rows than written on a chain syncing every second). Now the pull waits
 * for the push on its way, and leaves out what it delivered.
 */
describe('a pull that meets a push on the same link', () => {
  const servers = joinServersPerTest('ess-push-meets-pull-');

  it('waits for the push on its way and does not bring its rows again', async () => {
    const held: (() => void)[] = [];
    servers.beforeClose(() => held.splice(0).forEach((release) => release()));
    /** Holds the pushes C receives until the test lets them go; what C serves passes. */
    const holdPushes: express.RequestHandler = (req, _res, next) => {
      if (req.method === 'POST') held.push(() => next());
      else next();
    };
    const c = await servers.start('c', { before: [['/data/changes', holdPushes]] });
    const b = await servers.start('b', { peers: [c.syncUrl] });
    addTeams(b.data.db, TEAMS, 'b');
    const cClient = new SyncClient({ logger: silentLogger, peers: [b.syncUrl], token: TEST_TOKEN, data: c.node.tracker, joinBySnapshot: false });
    servers.beforeClose(() => cClient.stop());
    const pullsAtB = (): number => b.asked.filter((line) => line.startsWith('GET /api/sync/data/changes')).length;

    const bRound = b.node.client?.syncPeer(c.syncUrl);
    await until(() => held.length > 0); // B's push is on its way
    const cRound = cClient.syncPeer(b.syncUrl);
    await until(() => pullsAtB() > 0); // C's pull reached B while the push is on its way
    held.splice(0).forEach((release) => release());

    expect(await bRound).toMatchObject({ ok: true, rowsPushed: TEAMS });
    expect(await cRound).toMatchObject({ ok: true, rowsPulled: 0 }); // before: 60, the same rows again
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(b.data.db, 'teams'));
    // The next round moves nothing either way.
    expect(await cClient.syncPeer(b.syncUrl)).toMatchObject({ ok: true, rowsPulled: 0, rowsPushed: 0 });
  });

  it('still brings the rows when the push on its way fails', async () => {
    const held: ((fail: boolean) => void)[] = [];
    servers.beforeClose(() => held.splice(0).forEach((release) => release(false)));
    /** Holds the pushes C receives; the test then refuses them (503), as a server that could not apply them would. */
    const holdPushes: express.RequestHandler = (req, res, next) => {
      if (req.method !== 'POST') return next();
      held.push((fail) => (fail ? res.status(503).json({ error: { code: 'BUSY', message: 'held by the test' } }) : next()));
    };
    const c = await servers.start('c', { before: [['/data/changes', holdPushes]] });
    const b = await servers.start('b', { peers: [c.syncUrl] });
    addTeams(b.data.db, TEAMS, 'b');
    const cClient = new SyncClient({ logger: silentLogger, peers: [b.syncUrl], token: TEST_TOKEN, data: c.node.tracker, joinBySnapshot: false });
    servers.beforeClose(() => cClient.stop());
    const pullsAtB = (): number => b.asked.filter((line) => line.startsWith('GET /api/sync/data/changes')).length;

    const bRound = b.node.client?.syncPeer(c.syncUrl);
    await until(() => held.length > 0);
    const cRound = cClient.syncPeer(b.syncUrl);
    await until(() => pullsAtB() > 0);
    held.splice(0).forEach((release) => release(true));

    expect(await bRound).toMatchObject({ ok: false });
    expect(await cRound).toMatchObject({ ok: true, rowsPulled: TEAMS });
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(b.data.db, 'teams'));
  });
});
