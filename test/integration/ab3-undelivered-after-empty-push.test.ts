import { fleetPerTest } from '../helpers/fleet-per-test';
import type { FleetServer } from './convergence-fleet';
import { addTeam, pushCursorOf, teamNumbers } from '../helpers/fleet-teams';

const NAMES = ['C', 'A', 'B'] as const;

/** What `holder`'s status tells as undelivered to `to`. */
function undelivered(holder: FleetServer, to: FleetServer): number | null | undefined {
  return holder.sync.client?.peerStatuses().find((status) => status.url === `${to.url}/api/sync`)?.undeliveredChanges;
}

/**
 * B is a hub that lists nobody (it never pulls); A and C list it, and A lists C too. B's own rows reach A through
 * C first (seqs on A in C's no-echo windows, not B's), so A's pushes to B pass over them. With 8b72435 alone (a
 * push page with no rows sent never, the push cursor held back) A's status said B still lacked those changes,
 * round after round, though B wrote them; the push's last page, sent even empty (c9faa52), moves both cursors.
 */
describe('undelivered changes to a hub that wrote them', () => {
  const listen = fleetPerTest();

  it('are none once every server has every row', async () => {
    const { fleet } = await listen('ess-ab3-undelivered-', { A: ['C', 'B'], B: [], C: ['B'] });
    NAMES.forEach((name) => fleet.start(name));
    const [a, b] = [fleet.server('A'), fleet.server('B')];
    await addTeam(a, 1);
    await fleet.syncUntilQuiet(NAMES);
    for (let number = 2; number <= 6; number += 1) await addTeam(b, number);
    await fleet.syncUntilQuiet(NAMES); // C pulls them from B, then A pulls them from C
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual([1, 2, 3, 4, 5, 6]);
    expect({ undelivered: undelivered(a, b), pushCursor: pushCursorOf(a, b) }).toEqual({ undelivered: 0, pushCursor: expect.any(Number) });
  });
});
