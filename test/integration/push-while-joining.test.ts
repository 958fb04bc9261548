import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { createSyncNode, type SyncNode } from '../../index';
import { silentLogger } from '../../lib/logger';
import { SyncClient } from '../../lib/peers/sync-client';
import type { SyncProgress } from '../../lib/peers/sync-status';
import { tableRows, TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const TEAMS = 500;

/** A server of the test: its database, sync node and HTTP server. */
interface Server {
  readonly data: TempDb;
  readonly node: SyncNode;
  readonly http: TestServer;
  readonly syncUrl: string;
}

/**
 * A peer C with an empty database joins from A's snapshot while A pushes to
 * C (A lists C, C lists A: a mesh where a laptop is added). A's snapshot
 * answer is held back until the test lets it go, so A's push lands while C
 * downloads. Before, C applied the pushed pages, so the snapshot's import
 * found a database no longer empty and was thrown away: every row came page
 * by page, the snapshot downloaded for nothing.
 */
describe('a server joining from a snapshot: pushes into it and its pulls from other peers wait', () => {
  let temp: ReturnType<typeof tempDir>;
  const servers: Server[] = [];
  const clients: SyncClient[] = [];
  let releaseSnapshot: () => void = () => undefined;
  let snapshotAsked: Promise<void>;

  async function start(name: string, options: { peers?: string[]; holdSnapshot?: boolean; serveSnapshots?: boolean } = {}): Promise<Server> {
    const data = tempDb(TEST_SCHEMA);
    const peers = options.peers === undefined ? {} : { peers: options.peers, stateDir: path.join(temp.dir, `state-${name}`), snapshotMinChanges: 100 };
    const roots = makeRoots(path.join(temp.dir, `${name}-${randomUUID()}`));
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots, serveSnapshots: options.serveSnapshots ?? true, ...peers });
    const app = express();
    if (options.holdSnapshot === true) {
      let asked: () => void = () => undefined;
      snapshotAsked = new Promise((resolve) => (asked = resolve));
      const released = new Promise<void>((resolve) => (releaseSnapshot = resolve));
      app.use('/api/sync/data/snapshot', (_req, _res, next) => {
        asked();
        void released.then(() => next());
      });
    }
    const http = await startServer(app.use('/api/sync', node.router));
    const server = { data, node, http, syncUrl: `${http.url}/api/sync` };
    servers.push(server);
    return server;
  }

  beforeEach(() => {
    temp = tempDir('ess-push-joining-');
  });
  afterEach(async () => {
    releaseSnapshot();
    for (const client of clients.splice(0)) await client.stop();
    for (const server of servers.splice(0)) {
      await server.node.stop();
      await server.http.close();
      server.data.cleanup();
    }
    temp.cleanup();
  });

  it('is refused with 409 JOINING and skipped by the pusher, so the joiner starts from the snapshot; later pushes send only what it lacks', async () => {
    const a = await start('a', { holdSnapshot: true });
    addTeams(a.data.db, TEAMS, 'a');
    const c = await start('c', { peers: [a.syncUrl] });
    const aPushes = new SyncClient({ logger: silentLogger, peers: [c.syncUrl], token: TEST_TOKEN, data: a.node.tracker });
    clients.push(aPushes);
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
    const a = await start('a', { serveSnapshots: false });
    addTeams(a.data.db, TEAMS, 'a');
    const c = await start('c', { peers: [a.syncUrl] });
    const aPushes = new SyncClient({ logger: silentLogger, peers: [c.syncUrl], token: TEST_TOKEN, data: a.node.tracker });
    clients.push(aPushes);
    expect(await c.node.client?.syncPeer(a.syncUrl)).toMatchObject({ ok: true, rowsPulled: TEAMS });
    addTeams(a.data.db, 1, 'later');
    expect(await aPushes.syncPeer(c.syncUrl)).toMatchObject({ ok: true, rowsPushed: 1 });
    expect(tableRows(c.data.db, 'teams')).toEqual(tableRows(a.data.db, 'teams'));
  });

  it('pulls from another peer only once the join is in place, so the snapshot is not thrown away', async () => {
    const a = await start('a', { holdSnapshot: true });
    addTeams(a.data.db, TEAMS, 'a');
    const b = await start('b');
    addTeams(b.data.db, 10, 'b'); // fewer than snapshotMinChanges: paged from
    const c = await start('c', { peers: [a.syncUrl, b.syncUrl] });
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
