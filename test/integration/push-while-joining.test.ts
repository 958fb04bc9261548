import type express from 'express';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { tableRows } from '../helpers/data';
import { joinServersPerTest, type JoinServer, type JoinServerOptions } from '../helpers/join-servers';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams } from '../helpers/snapshot';

const TEAMS = 500;

/**
 * A peer C with an empty database joins from A's snapshot while A pushes to
 * C (A lists C, C lists A: a mesh where a laptop is added). A's snapshot
 * answer is held back until the test lets it go, so A's push lands while C
 * downloads. Before, C applied the pushed pages, so the snapshot's import
 * found a database no longer empty and was thrown away: every row came page
 * by page, the snapshot downloaded for nothing.
 */
describe('a server joining from a snapshot: pushes into it and its pulls from other peers wait', () => {
  const servers = joinServersPerTest('ess-push-joining-');
  let releaseSnapshot: () => void = () => undefined;
  let snapshotAsked: Promise<void>;

  /** A handler that holds `GET /data/snapshot` until the test calls `releaseSnapshot`; `snapshotAsked` resolves when it came. */
  function holdSnapshot(): JoinServerOptions['before'] {
    let asked: () => void = () => undefined;
    snapshotAsked = new Promise((resolve) => (asked = resolve));
    const released = new Promise<void>((resolve) => (releaseSnapshot = resolve));
    const hold: express.RequestHandler = (_req, _res, next) => {
      asked();
      void released.then(() => next());
    };
    servers.beforeClose(() => releaseSnapshot());
    return [['/data/snapshot', hold]];
  }

  /** A sync client on `from`'s tracker that pushes to `to`, stopped after the test. */
  function pusher(from: JoinServer, to: JoinServer): SyncClient {
    const client = new SyncClient({ logger: silentLogger, peers: [to.syncUrl], token: TEST_TOKEN, data: from.node.tracker });
    servers.beforeClose(() => client.stop());
    return client;
  }

  it('is refused with 409 JOINING and skipped by the pusher, so the joiner starts from the snapshot; later pushes send only what it lacks', async () => {
    const a = await servers.start('a', { before: holdSnapshot() });
    addTeams(a.data.db, TEAMS, 'a');
    const c = await servers.start('c', { peers: [a.syncUrl] });
    const aPushes = pusher(a, c);
    const phases: SyncProgress['phase'][] = [];
    c.node.client?.on('progress', (progress: SyncProgress) => phases.push(progress.phase));

    const joining = c.node.client?.syncPeer(a.syncUrl);
    await snapshotAsked;
    // A page pushed by hand while C waits for the snapshot: refused, nothing written.
    const page = a.node.tracker?.readChanges(0, 10);
    const refused = await fetch(`${c.syncUrl}/data/changes`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(page) });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('JOINING');
    // A's round with C meanwhile: the push gives way quietly.
    const pushed = await aPushes.syncPeer(c.syncUrl);
    expect(pushed).toMatchObject({ ok: true, rowsPushed: 0 });
    expect(c.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);

    releaseSnapshot();
    const joined = await joining;
    expect(phases).toContain('snapshot');
    expect(joined).toMatchObject({ ok: true, rowsPulled: TEAMS, rowsPushed: 0 });
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(a.data.db, 'teams'));

    // Once joined, pushes are taken again, and send only what the snapshot did not bring.
    addTeams(a.data.db, 1, 'later');
    expect(await aPushes.syncPeer(c.syncUrl)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(a.data.db, 'teams'));
  });

  it('takes pushes again once a join gave up (the peer serves no snapshot: C pulls page by page)', async () => {
    const a = await servers.start('a', { node: { serveSnapshots: false } });
    addTeams(a.data.db, TEAMS, 'a');
    const c = await servers.start('c', { peers: [a.syncUrl] });
    const aPushes = pusher(a, c);
    expect(await c.node.client?.syncPeer(a.syncUrl)).toMatchObject({ ok: true, rowsPulled: TEAMS });
    addTeams(a.data.db, 1, 'later');
    expect(await aPushes.syncPeer(c.syncUrl)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(a.data.db, 'teams'));
  });

  it('pulls from another peer only once the join is in place, so the snapshot is not thrown away', async () => {
    const a = await servers.start('a', { before: holdSnapshot() });
    addTeams(a.data.db, TEAMS, 'a');
    const b = await servers.start('b');
    addTeams(b.data.db, 10, 'b'); // fewer than snapshotMinChanges: paged from
    const c = await servers.start('c', { peers: [a.syncUrl, b.syncUrl] });
    const phases: string[] = [];
    c.node.client?.on('progress', (progress: SyncProgress) => phases.push(`${progress.peer === a.syncUrl ? 'a' : 'b'}:${progress.phase}`));

    const fromA = c.node.client?.syncPeer(a.syncUrl);
    await snapshotAsked;
    const fromB = c.node.client?.syncPeer(b.syncUrl);
    // B's round waits for the join before it pulls: nothing is written meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(0);
    releaseSnapshot();
    expect(await fromA).toMatchObject({ ok: true, rowsPulled: TEAMS });
    expect(await fromB).toMatchObject({ ok: true, rowsPulled: 10 });
    expect(phases).toContain('a:snapshot');
    expect(phases).not.toContain('b:snapshot');
    const all = [...tableRows(a.data.db, 'teams'), ...tableRows(b.data.db, 'teams')];
    expect(tableRows(c.data.db, 'teams')).toEqual(expect.arrayContaining(all));
    expect(tableRows(c.data.db, 'teams')).toHaveLength(TEAMS + 10);
  });
});
