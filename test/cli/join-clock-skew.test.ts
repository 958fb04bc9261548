import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { createSyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { makeRoots } from '../helpers/file-roots';
import { runCli } from '../helpers/h7-cli';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const HOUR = 3_600_000;

/**
 * Helper w2's find: `join` checked the snapshot's clocks against the default
 * bound (5 minutes) whatever the fleet runs with, and had no flag to say
 * otherwise: a fleet started with `SYNC_MAX_CLOCK_SKEW_MS=7200000` (a laptop
 * an hour ahead) could not join a new server by snapshot. The bound is now
 * `--max-clock-skew-ms` (else `$SYNC_MAX_CLOCK_SKEW_MS`, as the sample app
 * reads it), and `maxClockSkewMs` for `joinFromPeer`.
 */
describe('join from a peer whose clocks are an hour ahead', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    temp = tempDir('ess-join-skew-');
    data = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(data.db, { tables: TABLES });
    addTeams(data.db, 5, 'ahead');
    tracker.readChanges(0, 1);
    // Written by a laptop whose clock was an hour ahead (an hlc is milliseconds × 1024).
    data.db.prepare('UPDATE _sync_rows SET hlc = hlc + ?').run(HOUR * 1024);
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: makeRoots(path.join(temp.dir, 'roots')), maxClockSkewMs: 2 * HOUR });
    server = await startServer(express().use('/api/sync', node.router));
    url = `${server.url}/api/sync`;
  });
  afterAll(async () => {
    await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it('is CLOCK_SKEW with the default bound, nothing made', async () => {
    const db = path.join(temp.dir, 'default.db');
    const run = await runCli(['join', '--from', url, '--db', db, '--token', TEST_TOKEN]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/snapshot carries a clock 3\d{3} s ahead of this server.s \(limit 300 s\)/);
    expect(existsSync(db)).toBe(false);
  });

  it('joins with --max-clock-skew-ms, and with $SYNC_MAX_CLOCK_SKEW_MS', async () => {
    const byFlag = path.join(temp.dir, 'flag.db');
    const flag = await runCli(['join', '--from', url, '--db', byFlag, '--token', TEST_TOKEN, '--max-clock-skew-ms', String(2 * HOUR)]);
    expect(flag).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(byFlag)).toBe(true);
    const byEnv = path.join(temp.dir, 'env.db');
    const env = await runCli(['join', '--from', url, '--db', byEnv, '--token', TEST_TOKEN], { SYNC_MAX_CLOCK_SKEW_MS: String(2 * HOUR) });
    expect(env).toMatchObject({ code: 0, stderr: '' });
  });

  it.each(['-1', '1.5', 'an hour', '999999999999999999'])('refuses --max-clock-skew-ms %p before anything is asked', async (value) => {
    const db = path.join(temp.dir, 'bad.db');
    const run = await runCli(['join', '--from', url, '--db', db, '--token', TEST_TOKEN, '--max-clock-skew-ms', value]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/max-clock-skew-ms/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a bad $SYNC_MAX_CLOCK_SKEW_MS, naming it', async () => {
    const run = await runCli(['join', '--from', url, '--db', path.join(temp.dir, 'bad-env.db'), '--token', TEST_TOKEN], { SYNC_MAX_CLOCK_SKEW_MS: '2h' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/SYNC_MAX_CLOCK_SKEW_MS is in milliseconds: .*got "2h"/);
  });

  it('takes maxClockSkewMs in joinFromPeer, and refuses a bad one (a rejection with a RangeError)', async () => {
    const db = path.join(temp.dir, 'library.db');
    await expect(joinFromPeer({ url, token: TEST_TOKEN, db, maxClockSkewMs: 2 * HOUR })).resolves.toMatchObject({ rowsPulled: 0 });
    await expect(joinFromPeer({ url, token: TEST_TOKEN, db: path.join(temp.dir, 'x.db'), maxClockSkewMs: -1 })).rejects.toThrow(RangeError);
  });
});
