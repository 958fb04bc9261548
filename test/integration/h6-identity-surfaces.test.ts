import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { runCli } from '../helpers/h7-cli';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, type FleetServer } from './convergence-fleet';
import { addTeam, teamNumbers } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;
const MESH = { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] } as const;
const FIX = 'npx express-sqlite-sync new-site-id --db';

function databaseOf(fleet: Fleet, name: string): string {
  return path.join(fleet.dataDir(name), 'instance', 'app.db');
}

async function statusOf(server: FleetServer): Promise<{ identityChange: Record<string, unknown> | null; peers: { url: string; state: string; lastError: string | null }[] }> {
  const response = await request(server.url).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`);
  expect(response.status).toBe(200);
  return response.body as never;
}

/** The CLI as an operator runs it against a server. */
function cli(command: string, server: FleetServer, ...more: string[]): ReturnType<typeof runCli> {
  return runCli([command, '--url', `${server.url}/api/sync`, ...more], { SYNC_TOKEN: TEST_TOKEN });
}

/** Removes the -wal and -shm files beside a database, as an operator who puts an older copy back does. */
function removeSideFiles(file: string): void {
  for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
}

describe('identity faults are said on /status, in the log and by the CLI, with the fix when one is needed', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-identity-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, MESH);
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('a rewound database heals by itself: SITE_REWOUND on /status (identityChange), in the log and in `status`, nothing to do, nothing lost', async () => {
    NAMES.forEach((name) => fleet.start(name));
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(NAMES);
    await fleet.stop('A');
    const backup = path.join(fleet.dataDir('B'), '..', 'backup.db');
    copyFileSync(databaseOf(fleet, 'A'), backup);
    await addTeam(fleet.start('A'), 2);
    await fleet.syncUntilQuiet(NAMES);
    const before = fleet.server('A').sync.tracker?.siteId;
    await fleet.stop('A');
    copyFileSync(backup, databaseOf(fleet, 'A'));
    removeSideFiles(databaseOf(fleet, 'A'));
    const a = fleet.start('A');

    const { identityChange } = await statusOf(a);
    expect(identityChange).toEqual({ code: 'SITE_REWOUND', detail: expect.stringContaining('put back to an older copy'), previous: before, current: a.sync.tracker?.siteId, at: expect.any(String) });
    expect(fleet.logged).toContainEqual({ server: 'A', event: 'identity.changed', code: 'SITE_REWOUND' });
    const shown = await cli('status', a);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^! IDENTITY SITE_REWOUND at .*took the new site id ${a.sync.tracker?.siteId ?? '?'} \\(was ${before ?? '?'}\\) by itself.*nothing to do\\.$`, 'm'));
    const json = await cli('status', a, '--json');
    expect((JSON.parse(json.stdout) as { identityChange: unknown }).identityChange).toEqual(identityChange);

    const synced = await cli('sync', a);
    expect([synced.code, synced.stdout]).toEqual([0, expect.not.stringContaining('✘')]);
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual([1, 2]);
  });

  it('a copy its start cannot tell apart, in direct contact with its original, stops loudly: SAME_SITE_ID with the one-line fix on /status, in the log, by `status` and `sync`; the fix run while it runs is refused, run stopped it converges', async () => {
    const a = fleet.start('A');
    await addTeam(a, 1);
    await fleet.stop('A');
    mkdirSync(path.dirname(databaseOf(fleet, 'C')), { recursive: true });
    copyFileSync(databaseOf(fleet, 'A'), databaseOf(fleet, 'C'));
    // A block-level copy (a VM snapshot) or a file from an older version: nothing at its start tells it apart.
    const copy = new Database(databaseOf(fleet, 'C'));
    copy.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
    copy.close();
    NAMES.forEach((name) => fleet.start(name));
    const c = fleet.server('C');
    expect(c.sync.tracker?.siteId).toBe(fleet.server('A').sync.tracker?.siteId);
    await addTeam(fleet.server('A'), 2);
    await addTeam(c, 3);

    const synced = await cli('sync', c);
    expect(synced.code).toBe(2);
    expect(synced.stdout).toMatch(new RegExp(`^✘ ${fleet.server('A').url}/api/sync +SAME_SITE_ID: .*${FIX} <its database>`, 'm'));
    expect(synced.stdout).toContain(`${FIX} ${databaseOf(fleet, 'C')}\` when it is this server`); // C's own file, as C knows it
    const peerA = (await statusOf(c)).peers.find((peer) => peer.url.startsWith(fleet.server('A').url));
    expect(peerA).toMatchObject({ state: 'failing', lastError: expect.stringMatching(new RegExp(`^SAME_SITE_ID: .*${FIX}`)) });
    expect(fleet.logged).toContainEqual({ server: 'C', event: 'sync.failed', code: 'SAME_SITE_ID' });
    const shown = await cli('status', c);
    expect(shown.stdout).toMatch(new RegExp(`failing \\(1×\\): SAME_SITE_ID: .*${FIX}`));

    // The fix, as the message says it: with the server running it is refused, nothing changed; stopped, it works.
    const running = await runCli(['new-site-id', '--db', databaseOf(fleet, 'C')]);
    expect(running.code).not.toBe(0);
    expect(running.stderr).toContain('is open in another process (a running server?). Stop the server that uses it first');
    await fleet.stop('C');
    const fixed = await runCli(['new-site-id', '--db', databaseOf(fleet, 'C')]);
    expect(fixed.code).toBe(0);
    const restarted = fleet.start('C');
    expect(restarted.sync.tracker?.siteId).not.toBe(fleet.server('A').sync.tracker?.siteId);
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3]);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(fleet.server('A').db));
    expect((await statusOf(restarted)).peers.map((peer) => peer.lastError)).toEqual([null, null]);
  });
});
