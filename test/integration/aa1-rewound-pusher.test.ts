import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fleetPerTest } from '../helpers/fleet-per-test';
import { cells } from './convergence-fleet';
import { addTeam, teamNumbers } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;

/**
 * A star: the laptops A and C list the hub B, which lists nobody (it never
 * pulls from them: their rows reach it by their pushes). A's instance folder
 * (app.db and app.db-syncmark) is copied aside with A stopped and later copied
 * back over the files in place (`cp -r backup/. instance/`), -wal and -shm
 * removed: nothing at A's start can tell, so the hub's view of A is the only
 * evidence left.
 */
describe('a laptop that only pushes to its hub, its instance folder put back in place', () => {
  const listen = fleetPerTest();

  it('gets back the row it wrote and pushed before the rewind', async () => {
    const { fleet, dir } = await listen('ess-aa1-rewound-pusher-', { A: ['B'], B: [], C: ['B'] });
    NAMES.forEach((name) => fleet.start(name));
    await addTeam(fleet.server('A'), 1);
    await addTeam(fleet.server('B'), 2);
    await addTeam(fleet.server('C'), 3);
    await fleet.syncUntilQuiet(NAMES);

    const instance = path.join(fleet.dataDir('A'), 'instance');
    const backup = path.join(dir, 'backup');
    const files = ['app.db', 'app.db-syncmark'];
    await fleet.stop('A');
    mkdirSync(backup);
    for (const file of files) copyFileSync(path.join(instance, file), path.join(backup, file));
    fleet.start('A');
    await addTeam(fleet.server('B'), 4);
    await addTeam(fleet.server('C'), 5);
    await addTeam(fleet.server('A'), 6);
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4, 5, 6]);

    await fleet.stop('A');
    for (const side of ['-wal', '-shm']) rmSync(path.join(instance, `app.db${side}`), { force: true });
    for (const file of files) copyFileSync(path.join(backup, file), path.join(instance, file));
    const a = fleet.start('A');
    for (const number of [7, 8, 9]) await addTeam(a, number);
    await fleet.syncUntilQuiet(NAMES);

    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
    // Found by A's own handshake with the hub (the asking side): said as identity.changed too, not only as the round's sync.failed.
    const said = fleet.logged.filter((line) => line.server === 'A' && (line.event === 'identity.changed' || line.event === 'sync.failed')).map((line) => line.event);
    expect(said).toEqual(expect.arrayContaining(['sync.failed', 'identity.changed']));
  });
});
