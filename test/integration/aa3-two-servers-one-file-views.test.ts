import { mkdirSync, symlinkSync } from 'node:fs';
import { fleetPerTest } from '../helpers/fleet-per-test';
import { cells } from './convergence-fleet';
import { addTeam, siteOf, teamNumbers } from '../helpers/fleet-teams';

/**
 * A star whose hub B lists nobody: A and A2 are the app started twice on one data folder (one database file, one
 * site), C a laptop. B knows A's history only by the pushes of A and A2 (its pull cursor of A, and its view of A
 * where a push started past that cursor), each process with its own no-echo windows, restarts included; A and A2
 * both answer for that history. What B knows is evidence only of a history that differs: neither takes a new id,
 * and nothing else does.
 */
describe("a hub's view of a site served by two servers on one database file", () => {
  const listen = fleetPerTest();

  it('makes no server take a new site id', async () => {
    const { fleet } = await listen('aa3-two-servers-one-file-', { A: ['B'], A2: ['B'], B: [], C: ['B'] });
    mkdirSync(fleet.dataDir('A'), { recursive: true });
    symlinkSync(fleet.dataDir('A'), fleet.dataDir('A2')); // A2's data folder is A's
    for (const name of ['A', 'A2', 'B', 'C']) fleet.start(name);
    const sites = { A: siteOf(fleet.server('A')), B: siteOf(fleet.server('B')), C: siteOf(fleet.server('C')) };
    expect(siteOf(fleet.server('A2'))).toBe(sites.A);

    let number = 1;
    const steps = [['B', 'write'], ['A', 'sync'], ['A', 'write'], ['A2', 'sync'], ['A2', 'write'], ['B', 'write'], ['A2', 'sync'], ['A', 'sync'], ['C', 'write'], ['C', 'sync'], ['A', 'write'], ['A', 'sync']] as const;
    for (let turn = 0; turn < 6; turn += 1) {
      for (const [name, what] of steps) {
        if (what === 'write') await addTeam(fleet.server(name), number++);
        else await fleet.server(name).sync.syncNow();
      }
      const restarted = turn % 2 === 0 ? 'A2' : 'A';
      await fleet.stop(restarted);
      fleet.start(restarted);
    }
    for (let round = 0; round < 3; round += 1) for (const name of ['A', 'A2', 'C']) await fleet.server(name).sync.syncNow();

    const hub = fleet.server('B').db;
    const view = (hub.prepare('SELECT seq FROM _sync_peer_views WHERE site = ?').pluck().safeIntegers(false).get(sites.A) as number | undefined) ?? 0;
    const cursor = (hub.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().safeIntegers(false).get(sites.A) as number | undefined) ?? 0;
    const pushed = fleet.server('A').db.prepare('SELECT seq FROM _sync_pushed WHERE site = ?').pluck().safeIntegers(false).get(sites.B) as number;
    expect(Math.max(view, cursor)).toBeGreaterThanOrEqual(pushed); // the hub knows A's history as far as A pushed it
    expect(fleet.logged.filter((line) => line.event === 'identity.changed' || /^SITE_(REWOUND|CLONED)$/.test(String(line.code)))).toEqual([]);
    expect({ A: siteOf(fleet.server('A')), A2: siteOf(fleet.server('A2')), B: siteOf(fleet.server('B')), C: siteOf(fleet.server('C')) }).toEqual({ ...sites, A2: sites.A });
    const all = Array.from({ length: number - 1 }, (_, index) => index + 1);
    for (const name of ['A', 'B', 'C']) expect(teamNumbers(fleet.server(name))).toEqual(all);
    expect(cells(fleet.server('B').db)).toEqual(cells(fleet.server('A').db));
    expect(cells(fleet.server('C').db)).toEqual(cells(fleet.server('A').db));
  });
});
