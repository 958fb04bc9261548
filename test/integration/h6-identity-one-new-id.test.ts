import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';
import { cells, Fleet } from './convergence-fleet';
import { addTeam } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;

describe('a rewound server found by two peers in one sync', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('takes one new site id, not one per peer: the round that answered after the change asks again as the new site and goes on', async () => {
    const temp = tempDir('ess-h6-one-new-id-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    NAMES.forEach((name) => fleet.start(name));
    const file = path.join(fleet.dataDir('A'), 'instance', 'app.db');
    await addTeam(fleet.server('A'), 1);
    await fleet.syncUntilQuiet(NAMES);
    await fleet.stop('A');
    for (const suffix of ['', '-syncmark']) copyFileSync(`${file}${suffix}`, path.join(temp.dir, `backup.db${suffix}`));
    await addTeam(fleet.start('A'), 2);
    await fleet.syncUntilQuiet(NAMES);
    await fleet.stop('A');
    // The whole folder put back (the served-mark file too): only the peers can tell, at the first sync.
    for (const suffix of ['', '-syncmark']) copyFileSync(path.join(temp.dir, `backup.db${suffix}`), `${file}${suffix}`);
    for (const side of ['-wal', '-shm']) rmSync(`${file}${side}`, { force: true });
    const a = fleet.start('A');
    const before = a.sync.tracker?.siteId;

    const results = await a.sync.syncNow(); // both peers at once, as the scheduler and `sync` do
    const taken = new Set(results.flatMap((result) => [...(result.error?.message ?? '').matchAll(/took the new site id ([0-9a-f]{32})/g)].map((match) => match[1])));
    expect(taken).toEqual(new Set([a.sync.tracker?.siteId]));
    expect(a.sync.tracker?.siteId).not.toBe(before);
    expect(results.filter((result) => result.error?.code === 'SITE_REWOUND')).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => result.error?.code)).toEqual(['SITE_REWOUND']);

    await addTeam(a, 3);
    await fleet.syncUntilQuiet(NAMES);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
    expect(a.db.prepare('SELECT number FROM teams ORDER BY number').pluck().safeIntegers(false).all()).toEqual([1, 2, 3]);
  });
});
