import { Fleet } from '../integration/convergence-fleet';
import { tempDir } from './temp';

/** A fleet listening in its own temp folder. */
export interface ListenedFleet {
  readonly fleet: Fleet;
  readonly dir: string;
}

/**
 * A fleet per test, for a `describe` block: the function returned makes a
 * temp folder (named by `prefix`) and listens a fleet there with these peers;
 * after each test the fleet is closed and the folder removed.
 */
export function fleetPerTest(): (prefix: string, peers: Readonly<Record<string, readonly string[]>>) => Promise<ListenedFleet> {
  let fleet: Fleet | undefined;
  let cleanup = (): void => undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
    cleanup();
  });
  return async (prefix, peers) => {
    const temp = tempDir(prefix);
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, peers);
    return { fleet, dir: temp.dir };
  };
}
