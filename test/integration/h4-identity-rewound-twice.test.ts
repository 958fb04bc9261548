import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fleetPerTest } from '../helpers/fleet-per-test';
import { cells, type Fleet, type FleetServer } from './convergence-fleet';
import { addTeam, teamNumbers } from '../helpers/fleet-teams';

function databaseOf(fleet: Fleet, name: string): string {
  return path.join(fleet.dataDir(name), 'instance', 'app.db');
}

/** Stops a server and writes `backup` over its database in place (as `cp backup.db app.db` would), -wal and -shm removed. */
async function putBack(fleet: Fleet, name: string, backup: string): Promise<FleetServer> {
  await fleet.stop(name);
  copyFileSync(backup, databaseOf(fleet, name));
  for (const side of ['-wal', '-shm']) rmSync(`${databaseOf(fleet, name)}${side}`, { force: true });
  return fleet.start(name);
}

describe('a database restored, then put back to the same older copy again', () => {
  const listen = fleetPerTest();

  it('is found by a hub that only pulls from it, and the rows it writes afterwards reach the hub', async () => {
    const { fleet, dir } = await listen('ess-h4-rewound-twice-', { A: [], B: ['A'] });
    const backup = path.join(dir, 'backup.db');
    // The laptop A lists no peer; the hub B pulls from it (and pushes to it).
    fleet.start('B');
    await addTeam(fleet.start('A'), 1);
    await fleet.syncUntilQuiet(['B']);
    await fleet.stop('A');
    copyFileSync(databaseOf(fleet, 'A'), backup);
    const a = fleet.start('A');
    for (const number of [2, 3, 4, 5]) await addTeam(a, number);
    await fleet.syncUntilQuiet(['B']);

    // First time: put back in place; its start sees it (served-mark file), it takes a new id and heals.
    const first = await putBack(fleet, 'A', backup);
    expect(first.sync.tracker?.identityChangedAtStart?.code).toBe('SITE_REWOUND');
    await fleet.syncUntilQuiet(['B']);
    expect(teamNumbers(first)).toEqual([1, 2, 3, 4, 5]);

    // Second time: the same backup again, while the hub keeps running.
    const second = await putBack(fleet, 'A', backup);
    expect(teamNumbers(second)).toEqual([1]);
    for (let number = 60; number < 70; number += 1) await addTeam(second, number); // on seqs the hub's cursor for the old id has passed
    await fleet.syncUntilQuiet(['B']);
    for (const name of ['A', 'B']) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4, 5, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    expect(cells(fleet.server('B').db)).toEqual(cells(second.db));
    // Loud: the laptop found it (before the hub pulled a page of it) when the hub showed it what it holds of that id, took a new one, and logged it.
    const changes = fleet.logged.filter((entry) => entry.event === 'identity.changed').map((entry) => [entry.server, entry.code]);
    // (SITE_CLONED the second time: it wrote past the hub's cursor, a rewind that wrote again.)
    expect(changes).toEqual([
      ['A', 'SITE_REWOUND'],
      ['A', expect.stringMatching(/^SITE_(REWOUND|CLONED)$/)],
    ]);
    expect(second.sync.tracker?.lastIdentityChange?.code).toMatch(/^SITE_(REWOUND|CLONED)$/);
  });
});
