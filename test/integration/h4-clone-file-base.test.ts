import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fleetPerTest } from '../helpers/fleet-per-test';

const PHOTOS = ['one.jpg', 'two.jpg', 'three.jpg'];

/**
 * A careless operator sets up laptop C by copying laptop A's data folder,
 * the file sync's state (`.sync-state`) with it, but the copy of `uploads/`
 * misses a photo (copied before it arrived, or left out). C takes a new site
 * id at its start (a copy): the base it inherited is A's, not its own, and
 * must not take the photo it lacks for one it deleted.
 */
describe('a clone that inherited its original file-sync bases', () => {
  const listen = fleetPerTest();

  it('deletes nothing on its peer; the photo it lacks comes back to it', async () => {
    const { fleet } = await listen('ess-h4-clone-base-', { A: ['B'], B: [], C: ['B'] });
    fleet.start('B');
    fleet.start('A');
    for (const name of PHOTOS) writeFileSync(path.join(fleet.dataDir('A'), 'uploads', name), `photo ${name}`);
    await fleet.syncUntilQuiet(['A']);
    for (const name of PHOTOS) expect(existsSync(path.join(fleet.dataDir('B'), 'uploads', name))).toBe(true);
    await fleet.stop('A');

    cpSync(fleet.dataDir('A'), fleet.dataDir('C'), { recursive: true });
    for (const side of ['-wal', '-shm']) rmSync(path.join(fleet.dataDir('C'), 'instance', `app.db${side}`), { force: true });
    rmSync(path.join(fleet.dataDir('C'), 'uploads', 'one.jpg'));
    const c = fleet.start('C');
    expect(c.sync.tracker?.identityChangedAtStart?.code).toBe('SITE_CLONED');
    const results = await fleet.syncUntilQuiet(['C']);

    expect(results.reduce((sum, result) => sum + result.filesDeleted, 0)).toBe(0);
    for (const name of PHOTOS) {
      expect([name, existsSync(path.join(fleet.dataDir('B'), 'uploads', name))]).toEqual([name, true]);
      expect([name, existsSync(path.join(fleet.dataDir('C'), 'uploads', name))]).toEqual([name, true]);
    }
  });
});
