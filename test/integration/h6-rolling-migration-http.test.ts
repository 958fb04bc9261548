import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { formatStatus } from '../../bin/commands/status';
import { silentLogger } from '../../lib/logger';
import { readSampleConfig } from '../../sample-app/config';
import { startSampleApp, type RunningSampleApp } from '../../sample-app/server';
import { dbDigest } from '../helpers/data';
import { freePort } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** The migration every server gets, run while it is stopped: columns added (one filled), an index. */
const MIGRATION = `
ALTER TABLE teams ADD COLUMN region TEXT NOT NULL DEFAULT 'none';
UPDATE teams SET region = 'east' WHERE number < 200;
ALTER TABLE match_reports ADD COLUMN defense INTEGER DEFAULT 0;
CREATE INDEX IF NOT EXISTS teams_region ON teams (region);
`;

describe('a rolling migration of three live servers (stop, migrate, start, one at a time) while the others keep writing', () => {
  let temp: ReturnType<typeof tempDir>;
  const running: (RunningSampleApp | undefined)[] = [];
  let ports: number[] = [];

  const dataDir = (i: number): string => path.join(temp.dir, `s${i}`);
  const dbFile = (i: number): string => path.join(dataDir(i), 'instance', 'app.db');
  const server = (i: number): RunningSampleApp => {
    const found = running[i];
    if (found === undefined) throw new Error(`server ${i} is stopped`);
    return found;
  };
  const url = (i: number): string => `http://127.0.0.1:${ports[i]}`;

  async function boot(i: number): Promise<void> {
    const peers = [0, 1, 2].filter((j) => j !== i).map((j) => `${url(j)}/api/sync`);
    const config = readSampleConfig({ DATA_DIR: dataDir(i), SYNC_TOKEN: TEST_TOKEN, PORT: String(ports[i]), HOST: '127.0.0.1', SYNC_PEERS: peers.join(','), SYNC_INTERVAL_MS: '2000000000' });
    running[i] = await startSampleApp(config, silentLogger);
  }

  async function stopMigrateBoot(i: number, also = '', first = ''): Promise<void> {
    await server(i).close();
    running[i] = undefined;
    const db = new Database(dbFile(i));
    try {
      db.exec(first + MIGRATION + also);
    } finally {
      db.close();
    }
    await boot(i);
  }

  /** Rounds of every server with every peer until nothing moves (bounded). */
  async function syncToQuiet(): Promise<void> {
    for (let round = 0; round < 4; round += 1) for (const i of [0, 1, 2]) for (const result of await server(i).sync.syncNow()) expect(result).toMatchObject({ ok: true });
  }

  const exec = (i: number, sql: string): void => {
    server(i).db.exec(sql);
  };

  beforeEach(async () => {
    temp = tempDir('ess-h6-rolling-');
    ports = [await freePort(), await freePort(), await freePort()];
    for (const i of [0, 1, 2]) await boot(i);
  });
  afterEach(async () => {
    for (const each of running.splice(0)) await each?.close();
    temp.cleanup();
  });

  it('refuses with SCHEMA_MISMATCH naming the column while schemas differ, then converges on every cell written meanwhile on any server', async () => {
    exec(0, "INSERT INTO teams (id, number, name) VALUES ('t118', 118, 'Robonauts'), ('t254', 254, 'Cheesy Poofs')");
    exec(1, "INSERT INTO matches (id, label) VALUES ('m1', 'Q1')");
    await syncToQuiet();
    exec(2, "INSERT INTO match_reports (id, match_id, team_id, scout, updated_at) VALUES ('r0', 'm1', 't118', 'zoe', 'x')");
    await syncToQuiet();

    await stopMigrateBoot(0, "INSERT INTO teams (id, number, name, region) VALUES ('t148', 148, 'Robowranglers', 'west');"); // a row written while stopped
    exec(0, "UPDATE teams SET region = 'north' WHERE id = 't254'; INSERT INTO match_reports (id, match_id, team_id, scout, updated_at, defense) VALUES ('r1', 'm1', 't254', 'ana', 'x', 3)");
    exec(1, "UPDATE teams SET name = 'Robonauts 118' WHERE id = 't118'; INSERT INTO teams (id, number, name) VALUES ('t1678', 1678, 'Citrus Circuits')");
    exec(2, "INSERT INTO match_reports (id, match_id, team_id, scout, updated_at) VALUES ('r2', 'm1', 't118', 'bob', 'x')");

    // Schemas differ: A is refused both ways, naming the columns, on the result, /status and the CLI; B and C sync on.
    const results = await server(0).sync.syncNow();
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, error: { code: 'SCHEMA_MISMATCH' } });
      expect(result.error?.message).toMatch(/teams\.region/);
      expect(result.error?.message).toMatch(/match_reports\.defense/);
    }
    for (const result of await server(1).sync.syncNow()) if (result.peer.includes(String(ports[0]))) expect(result).toMatchObject({ ok: false, error: { code: 'SCHEMA_MISMATCH' } });
    const status = await request(url(0)).get('/api/sync/status').set(AUTH).expect(200);
    expect(formatStatus(status.body)).toMatch(/SCHEMA_MISMATCH.*teams\.region/);
    expect(server(1).db.prepare("SELECT count(*) FROM teams WHERE id = 't148'").pluck().get()).toBe(0); // nothing half-applied

    await stopMigrateBoot(1);
    exec(1, "UPDATE teams SET region = 'south' WHERE id = 't1678'");
    await stopMigrateBoot(2);
    await syncToQuiet();

    const digests = [0, 1, 2].map((i) => dbDigest(server(i).db, true));
    expect(digests[1]).toBe(digests[0]);
    expect(digests[2]).toBe(digests[0]);
    expect(server(2).db.prepare('SELECT id, number, name, region FROM teams ORDER BY number').raw(true).all()).toEqual([
      ['t118', 118, 'Robonauts 118', 'east'],
      ['t148', 148, 'Robowranglers', 'west'],
      ['t254', 254, 'Cheesy Poofs', 'north'],
      ['t1678', 1678, 'Citrus Circuits', 'south'],
    ]);
    expect(server(1).db.prepare('SELECT id, defense FROM match_reports ORDER BY id').raw(true).all()).toEqual([['r0', 0], ['r1', 3], ['r2', 0]]);
    const conflicts = await Promise.all([0, 1, 2].map(async (i) => (await request(url(i)).get('/api/sync/data/conflicts').set(AUTH).expect(200)).body as unknown));
    expect(conflicts[1]).toEqual(conflicts[0]);
    expect(conflicts[2]).toEqual(conflicts[0]);
  });

  it("a migration run on a running server: its peers' results, /status and CLI say the peer must be restarted, not this server", async () => {
    exec(0, "INSERT INTO teams (id, number, name) VALUES ('t118', 118, 'Robonauts')");
    await syncToQuiet();
    exec(0, 'ALTER TABLE teams ADD COLUMN region TEXT');
    const toA = (await server(1).sync.syncNow()).find((result) => result.peer.includes(String(ports[0])));
    expect(toA).toMatchObject({ ok: false, error: { code: 'SCHEMA_CHANGED' } });
    expect(toA?.error?.message).toContain(`${url(0)}/api/sync`);
    expect(toA?.error?.message).toMatch(/restart that server, not this one/);
    expect(toA?.error?.message).toMatch(/teams\.region was added/);
    const status = await request(url(1)).get('/api/sync/status').set(AUTH).expect(200);
    expect(formatStatus(status.body)).toMatch(/SCHEMA_CHANGED: .*restart that server, not this one/);
    // The server that changed says it of itself.
    const own = await request(url(0)).get('/api/sync/status').set(AUTH).expect(200);
    expect(formatStatus(own.body)).toMatch(/DATA SYNC STOPPED: SCHEMA_CHANGED: the tracked schema changed while this server runs/);
    await stopMigrateBoot(0, '', 'ALTER TABLE teams DROP COLUMN region;'); // its migration done properly, with the server stopped
    await stopMigrateBoot(1);
    await stopMigrateBoot(2);
    await syncToQuiet();
    expect(dbDigest(server(1).db, true)).toBe(dbDigest(server(0).db, true));
  });

  it('a migration run on a running server, written to before its restart: captured at the restart, every value reaches the others once they migrate', async () => {
    exec(0, "INSERT INTO teams (id, number, name) VALUES ('t118', 118, 'Robonauts'), ('t254', 254, 'Cheesy Poofs')");
    await syncToQuiet();
    exec(0, MIGRATION); // while A runs: its sync stops (SCHEMA_CHANGED)
    exec(0, "UPDATE teams SET region = 'north' WHERE id = 't254'; INSERT INTO teams (id, number, name, region) VALUES ('t148', 148, 'Robowranglers', 'west')");
    exec(1, "UPDATE teams SET name = 'Robonauts 118' WHERE id = 't118'");
    expect((await server(0).sync.syncNow()).every((result) => result.error?.code === 'SCHEMA_CHANGED')).toBe(true);
    await server(0).close(); // the restart
    running[0] = undefined;
    await boot(0);
    await stopMigrateBoot(1);
    await stopMigrateBoot(2);
    await syncToQuiet();
    for (const i of [1, 2]) expect(dbDigest(server(i).db, true)).toBe(dbDigest(server(0).db, true));
    expect(server(2).db.prepare('SELECT id, name, region FROM teams ORDER BY number').raw(true).all()).toEqual([
      ['t118', 'Robonauts 118', 'east'],
      ['t148', 'Robowranglers', 'west'],
      ['t254', 'Cheesy Poofs', 'north'],
    ]);
  });
});
