import { copyFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { cells, Fleet } from './convergence-fleet';
import { addTeam } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;

/** A backup taken with `cp` while A was stopped, put back later with `mv` (a new file in place), -wal and -shm removed. */
describe.each([
  ['the database alone', ['']],
  ['the database and its served-mark file (the whole folder)', ['', '-syncmark']],
])('an older copy put back by mv: %s', (_name, suffixes) => {
  let fleet: Fleet;
  let cleanup: () => void;
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('takes a new site id, gets back what it lost, and its new rows reach every server', async () => {
    const temp = tempDir('ess-h6-mv-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    NAMES.forEach((name) => fleet.start(name));
    const file = path.join(fleet.dataDir('A'), 'instance', 'app.db');
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(NAMES);
    await fleet.stop('A');
    for (const suffix of suffixes) copyFileSync(`${file}${suffix}`, path.join(temp.dir, `backup.db${suffix}`));
    const first = fleet.start('A');
    for (const number of [2, 3]) await addTeam(first, number);
    await fleet.syncUntilQuiet(NAMES);
    const before = first.sync.tracker?.siteId;
    await fleet.stop('A');
    for (const suffix of suffixes) renameSync(path.join(temp.dir, `backup.db${suffix}`), `${file}${suffix}`);
    for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
    const a = fleet.start('A');
    await addTeam(a, 4); // on seqs the peers' cursors for the old history have passed
    await fleet.syncUntilQuiet(NAMES);
    expect(a.sync.tracker?.siteId).not.toBe(before);
    for (const name of NAMES) expect(fleet.server(name).db.prepare('SELECT number FROM teams ORDER BY number').pluck().safeIntegers(false).all()).toEqual([1, 2, 3, 4]);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
  });
});
