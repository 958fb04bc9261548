import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import { createSyncNode } from '../../node/create-sync-node';
import { tableRows, TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { randomFaults, seededRandom, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { makeRoots, put, tempFilesUnder, treeDigest } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

// Three servers, each syncing with the other two through its own faulty link
// (random cuts, stalls, resets, delays, a lost first byte), while all three
// write: the same cells, the same UNIQUE values, a parent deleted under its
// child, files both ways, and one file that each round's writer changes (it
// reaches the others through the faults). Once the links heal, rounds run to
// quiescence: every cell, every parked row and every file is the same on the
// three servers.
//
// One file written by all three servers in the same round is not part of it:
// in a mesh whose rounds overlap, two of its versions can swap round the ring
// for ever (docs/PROTOCOL.md, "A limit: a version that goes round a ring"; a
// fresh-clone CI run met it twice in a row on seed 2). That clash among three
// servers is file-conflict-three-servers.test.ts's, and the fix (an identity per
// version) is not done yet.
const COUNT = 3;
const FAULTY_ROUNDS = 6;
// Rounds in which every sync went through, after the heal, before the servers must be quiet.
const MAX_HEALED_ROUNDS = 20;

interface Server {
  readonly data: TempDb;
  readonly roots: Record<string, string>;
  readonly client: SyncClient;
  readonly http: TestServer;
}

describe.each([1, 2])('three servers over links with random faults (seed %d)', (seed) => {
  let temp: ReturnType<typeof tempDir>;
  let servers: Server[];
  let proxies: FaultProxy[][];
  beforeEach(async () => {
    temp = tempDir('ess-h5-three-');
    proxies = await Promise.all(Array.from({ length: COUNT }, () => Promise.all(Array.from({ length: COUNT }, () => startFaultProxy(1)))));
    servers = [];
    for (let i = 0; i < COUNT; i += 1) {
      const data = tempDb(TEST_SCHEMA);
      const roots = makeRoots(path.join(temp.dir, `server-${i}`));
      const peers = [0, 1, 2].filter((j) => j !== i).map((j) => `${(proxies[i]?.[j] as FaultProxy).url}/api/sync`);
      const node = createSyncNode({ logger: silentLogger, peers, token: TEST_TOKEN, database: data.db, tables: TABLES, roots, stateDir: path.join(temp.dir, `state-${i}`), peerTimeoutMs: 300, syncPageSize: 50 });
      servers.push({ data, roots, client: node.client as SyncClient, http: await startServer(express().use('/api/sync', node.router)) });
    }
    for (let i = 0; i < COUNT; i += 1) for (let j = 0; j < COUNT; j += 1) proxies[i]?.[j]?.setTarget((servers[j] as Server).http.port);
  });
  afterEach(async () => {
    for (const server of servers) await server.client.stop(0);
    for (const row of proxies) for (const proxy of row) await proxy.close();
    for (const server of servers) {
      await server.http.close();
      server.data.cleanup();
    }
    temp.cleanup();
  });

  /** Writes that race each other on every server (the same row, the same UNIQUE triple, new rows, files), and the round's writer's change of config/shared.txt. */
  function writeEverywhere(round: number): void {
    servers.forEach(({ data, roots }, i) => {
      addTeams(data.db, 30, `s${i}-r${round}`);
      data.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, number = excluded.number').run('shared', `from ${i} in ${round}`, i);
      data.db.prepare('INSERT OR IGNORE INTO reports (id, team_id, match, scout) VALUES (?, ?, ?, ?)').run(randomUUID(), 'shared', `q${round}`, 'same scout');
      put(roots.uploads as string, `s${i}-r${round}.bin`, randomBytes(20_000 + round * 40_000));
      if (i === round % COUNT) put(roots.config as string, 'shared.txt', `from ${i} in ${round}`);
    });
  }

  /**
   * One round of every server with both peers, at once: `quiet` when all ended
   * well and moved nothing (quiescent); `failed` when a sync failed although
   * the links healed (peerTimeoutMs is 300 ms, which a loaded machine's answers
   * can take, and a round cut by it can leave the next one a busy peer).
   */
  async function roundEverywhere(): Promise<{ readonly quiet: boolean; readonly failed: boolean; readonly busy: string[] }> {
    const results = (await Promise.all(servers.map((server) => server.client.syncAll()))).flat();
    const moved = (result: (typeof results)[number]): number => result.rowsPulled + result.rowsPushed + result.filesUp + result.filesDown + result.filesDeleted;
    return {
      quiet: results.every((result) => result.ok && moved(result) === 0),
      failed: results.some((result) => !result.ok),
      // What kept the last round from being quiet, for the failure message.
      busy: results.filter((result) => !result.ok || moved(result) > 0).map((result) => `${result.peer}: ${result.error?.code ?? 'ok'} ${result.error?.message ?? ''} pulled ${result.rowsPulled} pushed ${result.rowsPushed} up ${result.filesUp} down ${result.filesDown} deleted ${result.filesDeleted} conflicts ${result.dataConflicts}`),
    };
  }

  it('converges once the links heal: every cell, parked row and file equal, nothing half-written', async () => {
    const random = seededRandom(seed);
    for (const row of proxies) for (const proxy of row) proxy.setPlan(randomFaults(random, 0.6));
    for (let round = 0; round < FAULTY_ROUNDS; round += 1) {
      writeEverywhere(round);
      if (round === 2) (servers[0] as Server).data.db.prepare("DELETE FROM reports WHERE team_id = 'shared'").run();
      if (round === 3) (servers[1] as Server).data.db.exec("DELETE FROM reports WHERE team_id = 'shared'; DELETE FROM teams WHERE id = 'shared'"); // while the others add reports to it
      await roundEverywhere();
      for (const row of proxies) for (const proxy of row) proxy.dropConnections();
    }
    for (const row of proxies) for (const proxy of row) proxy.heal();
    // At most MAX_HEALED_ROUNDS rounds in which every sync went through: a round in which a healed link still failed
    // (a timeout on a loaded machine, or what it left behind) is not counted; one that fails for good still ends the loop at 80 rounds.
    let quiet = false;
    let busy: string[] = [];
    for (let counted = 0, rounds = 0; counted < MAX_HEALED_ROUNDS && !quiet && rounds < 4 * MAX_HEALED_ROUNDS; rounds += 1) {
      const round = await roundEverywhere();
      ({ quiet, busy } = round);
      if (!round.failed) counted += 1;
    }
    expect({ quiet, busy }).toEqual({ quiet: true, busy: [] });
    const [first, ...others] = servers as [Server, ...Server[]];
    const conflicts = (server: Server): unknown[] => server.data.db.prepare('SELECT id, table_name, key, reason FROM _sync_conflicts ORDER BY id').raw(true).all();
    for (const other of others) {
      for (const table of TABLES) expect(tableRows(other.data.db, table)).toEqual(tableRows(first.data.db, table));
      expect(conflicts(other)).toEqual(conflicts(first));
      for (const root of ['uploads', 'config']) expect(treeDigest(other.roots[root] as string)).toBe(treeDigest(first.roots[root] as string));
    }
    expect(tableRows(first.data.db, 'teams').length).toBeGreaterThanOrEqual(COUNT * FAULTY_ROUNDS * 30);
    for (const server of servers) expect(tempFilesUnder(server.roots.uploads as string)).toEqual([]);
    for (const server of servers) for (const status of server.client.peerStatuses()) expect(status).toMatchObject({ state: 'ok' });
  }, 240_000); // up to 4 x MAX_HEALED_ROUNDS rounds on a loaded machine
});
