import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PeerSyncResult } from '../../index';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, type FleetServer } from './convergence-fleet';
import { addTeam, teamNumbers } from '../helpers/fleet-teams';

const IDENTITY_CODES = ['SITE_REWOUND', 'SITE_CLONED', 'DUPLICATE_SITE_ID'];

function databaseOf(fleet: Fleet, name: string): string {
  return path.join(fleet.dataDir(name), 'instance', 'app.db');
}

function siteOf(server: FleetServer): string {
  return server.sync.tracker?.siteId ?? '';
}

/** The identity codes the sync results carried (loud: on /status as `lastError`, in the log, in the CLI's output). */
function identityErrors(results: readonly PeerSyncResult[]): string[] {
  return results.flatMap((result) => (result.error !== undefined && IDENTITY_CODES.includes(result.error.code) ? [result.error.code] : []));
}

/** The servers that logged taking a new site id by themselves when a peer's view of them differed (`identity.changed`, with its code). */
function serversReidentified(fleet: Fleet): string[] {
  return fleet.logged.filter((entry) => entry.event === 'identity.changed' && IDENTITY_CODES.includes(String(entry.code))).map((entry) => entry.server);
}

describe('identity faults heal, loudly, and nothing is lost', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  /** A writes 1, a backup is taken, A writes 2 and 3, all sync; then A is stopped and put back to the backup in place (cp over it, -wal and -shm removed). */
  async function rewindA(dir: string, options: { readonly alsoServedMark: boolean }): Promise<{ readonly before: string; readonly a: FleetServer }> {
    const names = ['A', 'B', 'C'];
    fleet = await Fleet.listen(dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    names.forEach((name) => fleet.start(name));
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(names);
    await fleet.stop('A');
    copyFileSync(databaseOf(fleet, 'A'), path.join(dir, 'backup.db'));
    copyFileSync(`${databaseOf(fleet, 'A')}-syncmark`, path.join(dir, 'backup.db-syncmark'));
    await addTeam(fleet.start('A'), 2);
    await addTeam(fleet.server('A'), 3);
    await fleet.syncUntilQuiet(names);
    const before = siteOf(fleet.server('A'));
    await fleet.stop('A');
    copyFileSync(path.join(dir, 'backup.db'), databaseOf(fleet, 'A'));
    // The whole folder put back: the served-mark file goes back too, so only the peers can tell.
    if (options.alsoServedMark) copyFileSync(path.join(dir, 'backup.db-syncmark'), `${databaseOf(fleet, 'A')}-syncmark`);
    for (const side of ['-wal', '-shm']) rmSync(`${databaseOf(fleet, 'A')}${side}`, { force: true });
    return { before, a: fleet.start('A') };
  }

  it('a rewound database (an older copy put back in place, -wal and -shm removed) takes a new id at its start, gets back what it lost, and its new rows reach every peer', async () => {
    const temp = tempDir('ess-rewind-');
    cleanup = temp.cleanup;
    const { before, a } = await rewindA(temp.dir, { alsoServedMark: false });
    // Seen at its start, before anything is captured or sent: it served seq N, it is now behind N.
    expect(a.sync.tracker?.identityChangedAtStart?.code).toBe('SITE_REWOUND');
    expect(siteOf(a)).not.toBe(before);
    expect(teamNumbers(a)).toEqual([1]);
    await addTeam(a, 4);
    const results = await fleet.syncUntilQuiet(['A', 'B', 'C']);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4]);
    for (const name of ['B', 'C']) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
    expect(identityErrors(results)).toEqual([]);
  });

  it('a rewound database put back with its served-mark file (the whole folder) is found by its peers at the first sync, and nothing is lost', async () => {
    const temp = tempDir('ess-rewind-folder-');
    cleanup = temp.cleanup;
    const { before, a } = await rewindA(temp.dir, { alsoServedMark: true });
    expect(a.sync.tracker?.identityChangedAtStart).toBeUndefined();
    expect(teamNumbers(a)).toEqual([1]);
    await addTeam(a, 4); // written on seqs the peers' cursors have already passed
    const results = await fleet.syncUntilQuiet(['A', 'B', 'C']);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4]);
    for (const name of ['B', 'C']) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
    expect(identityErrors(results).length).toBeGreaterThan(0);
    expect(siteOf(a)).not.toBe(before);
  });

  it('a rewound database whose lost rows only a relay holds (the peer that pulled them from it is gone) takes a new id at its start and gets them back from the relay', async () => {
    const temp = tempDir('ess-rewind-relay-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: [], C: ['B'] });
    ['A', 'B', 'C'].forEach((name) => fleet.start(name));
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(['A', 'C']);
    await fleet.stop('A');
    copyFileSync(databaseOf(fleet, 'A'), path.join(temp.dir, 'backup.db'));
    await fleet.stop('B'); // A's next rows reach B only through C
    await addTeam(fleet.start('A'), 2);
    await addTeam(fleet.server('A'), 3);
    await fleet.syncUntilQuiet(['A']);
    fleet.start('B');
    await fleet.syncUntilQuiet(['C']);
    expect(teamNumbers(fleet.server('B'))).toEqual([1, 2, 3]);
    await fleet.stop('C'); // the laptop that pulled A's rows leaves the event
    await fleet.stop('A');
    copyFileSync(path.join(temp.dir, 'backup.db'), databaseOf(fleet, 'A'));
    for (const side of ['-wal', '-shm']) rmSync(`${databaseOf(fleet, 'A')}${side}`, { force: true });
    const a = fleet.start('A');
    expect(a.sync.tracker?.identityChangedAtStart?.code).toBe('SITE_REWOUND');
    await addTeam(a, 4);
    await fleet.syncUntilQuiet(['A']);
    // B's cursor for A is older than the backup, so B saw nothing wrong; A's start did, and A got 2 and 3 back from B.
    for (const name of ['A', 'B']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4]);
    fleet.start('C');
    await fleet.syncUntilQuiet(['A', 'C']);
    for (const name of ['B', 'C']) expect(cells(fleet.server(name).db)).toEqual(cells(fleet.server('A').db));
  });

  it('a hub restored from a backup is detected at the first contact after the laptop restarted too (it no longer remembers which site answered there)', async () => {
    const temp = tempDir('ess-hub-rewind-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B'], B: [] });
    fleet.start('A');
    const first = fleet.start('B');
    for (const number of [1, 2, 3]) await addTeam(first, number);
    await fleet.syncUntilQuiet(['A']);
    await fleet.stop('B');
    copyFileSync(databaseOf(fleet, 'B'), path.join(temp.dir, 'backup.db'));
    const hub = fleet.start('B');
    for (const number of [4, 5]) await addTeam(hub, number);
    await fleet.syncUntilQuiet(['A']);
    await fleet.stop('A');
    await fleet.stop('B');
    copyFileSync(path.join(temp.dir, 'backup.db'), databaseOf(fleet, 'B'));
    for (const side of ['-wal', '-shm']) rmSync(`${databaseOf(fleet, 'B')}${side}`, { force: true });
    const restored = fleet.start('B');
    for (const number of [40, 41, 42, 43]) await addTeam(restored, number); // past the laptop's cursor for the hub
    fleet.start('A');
    const results = await fleet.syncUntilQuiet(['A']);
    for (const name of ['A', 'B']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4, 5, 40, 41, 42, 43]);
    expect(cells(fleet.server('A').db)).toEqual(cells(restored.db));
    expect(results.every((result) => result.ok)).toBe(true);
    // The hub found it when the laptop showed it what it holds of it: it took a new site id by itself, and logged it.
    expect(serversReidentified(fleet)).toEqual(['B']);
  });

  it('a server put back to an older copy after another one joined from its snapshot is found at the joiner\'s first sync, and both keep every row', async () => {
    const temp = tempDir('ess-join-rewind-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: [], B: ['A'] });
    const first = fleet.start('A');
    for (const number of [1, 2, 3, 4, 5]) await addTeam(first, number);
    await fleet.stop('A');
    copyFileSync(databaseOf(fleet, 'A'), path.join(temp.dir, 'backup.db'));
    const a = fleet.start('A');
    for (const number of [6, 7, 8, 9, 10]) await addTeam(a, number);
    await joinFromPeer({ url: `${a.url}/api/sync`, token: TEST_TOKEN, db: databaseOf(fleet, 'B') });
    await fleet.stop('A');
    copyFileSync(path.join(temp.dir, 'backup.db'), databaseOf(fleet, 'A'));
    for (const side of ['-wal', '-shm']) rmSync(`${databaseOf(fleet, 'A')}${side}`, { force: true });
    const restored = fleet.start('A');
    for (let number = 101; number <= 108; number += 1) await addTeam(restored, number); // past the joiner's cursor
    fleet.start('B');
    const results = await fleet.syncUntilQuiet(['B']);
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 101, 102, 103, 104, 105, 106, 107, 108];
    for (const name of ['A', 'B']) expect(teamNumbers(fleet.server(name))).toEqual(all);
    expect(identityErrors(results).length + serversReidentified(fleet).length).toBeGreaterThan(0);
  });

  it('a clone two hops away from its original (A – B – D – C, C a copy of A) takes a new id at its start, and every server ends with every row', async () => {
    const temp = tempDir('ess-far-clone-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B'], B: ['A', 'D'], D: ['B', 'C'], C: ['D'] });
    fleet.start('A');
    await addTeam(fleet.server('A'), 1);
    await fleet.stop('A');
    mkdirSync(path.dirname(databaseOf(fleet, 'C')), { recursive: true });
    copyFileSync(databaseOf(fleet, 'A'), databaseOf(fleet, 'C'));
    const [a, , , c] = [fleet.start('A'), fleet.start('B'), fleet.start('D'), fleet.start('C')];
    await addTeam(a, 10);
    await addTeam(c, 30);
    await addTeam(c, 31);
    await fleet.syncUntilQuiet(['A', 'B', 'D', 'C']);
    for (const name of ['A', 'B', 'D', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 10, 30, 31]);
    expect(serversReidentified(fleet)).toEqual(['C']);
  });

  it('a clone started from a copy, in contact with the original only through a hub, is detected and both keep every row', async () => {
    const temp = tempDir('ess-clone-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B'], B: ['A', 'C'], C: ['B'] });
    fleet.start('A');
    fleet.start('B');
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(['A', 'B']);
    await fleet.stop('A');
    mkdirSync(path.dirname(databaseOf(fleet, 'C')), { recursive: true });
    copyFileSync(databaseOf(fleet, 'A'), databaseOf(fleet, 'C'));
    const [a, c] = [fleet.start('A'), fleet.start('C')];
    // The copy tells at its start that it is not the file its site id was used in: it takes a new one, and logs it.
    expect(siteOf(c)).not.toBe(siteOf(a));
    expect(serversReidentified(fleet)).toEqual(['C']);
    await addTeam(a, 2);
    await addTeam(c, 3);
    const results = await fleet.syncUntilQuiet(['A', 'B', 'C']);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3]);
    expect(cells(c.db)).toEqual(cells(a.db));
    expect(cells(fleet.server('B').db)).toEqual(cells(a.db));
    // Found on the first contact: by the hub (two URLs, one site) or by a copy when the hub showed it what it holds of that site.
    expect(identityErrors(results).length + serversReidentified(fleet).length).toBeGreaterThan(0);
    expect(siteOf(c)).not.toBe(siteOf(a));
  });
});
