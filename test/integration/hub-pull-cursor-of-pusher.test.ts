import { fleetPerTest } from '../helpers/fleet-per-test';
import { addTeam, pullCursorOf, pushCursorOf, teamNumbers } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;

/**
 * A star where the laptops A and C list the hub B, which lists nobody: B
 * learns A's changes only from A's pushes. A's push cursor used to move past
 * the seqs that held only what A pulled from B (B has them) without a page,
 * so A's next push started past B's pull cursor of A; B kept no cursor from
 * such a page (it cannot tell a gap it can skip from one it cannot), and its
 * cursor of A stayed where it was for good: every later push from A counted
 * as "early" at B (a row revived without every column was passed over), its
 * `/data/info` told a stale cursor, and a server joining from B's snapshot
 * pulled A's history again from there. A's push cursor now moves with the
 * pages B applies, so the two cursors agree.
 */
describe('a hub that only receives a laptop’s pushes', () => {
  const listen = fleetPerTest();

  it('keeps its pull cursor of the laptop where the laptop’s push cursor is, round after round', async () => {
    const { fleet } = await listen('ess-hub-cursor-', { A: ['B'], B: [], C: ['B'] });
    NAMES.forEach((name) => fleet.start(name));
    const [a, b] = [fleet.server('A'), fleet.server('B')];
    let number = 0;
    for (let round = 0; round < 3; round += 1) {
      await addTeam(b, (number += 1)); // A pulls these: seqs on A that hold only what B has
      await addTeam(fleet.server('C'), (number += 1)); // relayed to A through B: B has them too
      await fleet.syncUntilQuiet(NAMES);
      await addTeam(a, (number += 1));
      await fleet.syncUntilQuiet(NAMES);
      expect({ round, hubHasUpTo: pullCursorOf(b, a) }).toEqual({ round, hubHasUpTo: pushCursorOf(a, b) });
    }
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual(Array.from({ length: number }, (_, index) => index + 1));
  });

  // Holding the push cursor back instead (the first take of this fix) made a laptop restarted before it wrote anything
  // push back every row it had pulled through the hub from others: its no-echo windows had gone with its process.
  it('is told, even by a push with no rows, so a laptop restarted before writing anything sends nothing back', async () => {
    const { fleet } = await listen('ess-hub-cursor-restart-', { A: ['B'], B: [], C: ['B'] });
    NAMES.forEach((name) => fleet.start(name));
    for (let number = 1; number <= 30; number += 1) await addTeam(fleet.server('C'), number);
    await fleet.syncUntilQuiet(NAMES);
    expect(teamNumbers(fleet.server('A'))).toHaveLength(30);
    expect(pullCursorOf(fleet.server('B'), fleet.server('A'))).toBe(pushCursorOf(fleet.server('A'), fleet.server('B')));

    await fleet.stop('A');
    const a = fleet.start('A');
    const results = await a.sync.syncNow();
    expect(results.map((result) => [result.ok, result.rowsPushed, result.rowsPulled])).toEqual([[true, 0, 0]]);
  });
});
