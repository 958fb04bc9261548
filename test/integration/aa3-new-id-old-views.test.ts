import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase, restoreDatabase } from '../../lib/data/backup';
import { giveNewSiteIdToFile } from '../../lib/data/site-identity';
import { fleetPerTest } from '../helpers/fleet-per-test';
import { cells, type FleetServer } from './convergence-fleet';
import { addTeam, siteOf, teamNumbers } from '../helpers/fleet-teams';

const NAMES = ['A', 'B', 'C'] as const;

/** The last local seq a database file holds. */
function seqOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT max(seq) FROM _sync_log').pluck().safeIntegers(false).get() as number;
  } finally {
    db.close();
  }
}

/**
 * A star whose hub B lists nobody, so it knows the laptop A's history only by A's pushes (its pull cursor of A, or
 * its view of A where a push started past that cursor). The operator gives A a new site id (`new-site-id`, A stopped), later restores a
 * backup taken before (`restore`: another new id). The hub's views of A's earlier ids are never checked against
 * A's later histories: no server takes a new id by itself, and A gets back what it wrote after the backup.
 */
describe('a pusher re-identified by the operator, then restored, while its hub holds views of its old ids', () => {
  const listen = fleetPerTest();

  it('takes no further new id, and loses nothing', async () => {
    const { fleet, dir } = await listen('aa3-new-id-views-', { A: ['B'], B: [], C: ['B'] });
    NAMES.forEach((name) => fleet.start(name));
    const server = (name: string): FleetServer => fleet.server(name);
    let n = 1;
    const writeAll = async (): Promise<void> => {
      for (const name of ['B', 'A', 'C', 'A'] as const) await addTeam(server(name), n++);
    };
    for (let i = 0; i < 3; i += 1) {
      await writeAll();
      await fleet.syncUntilQuiet(NAMES);
    }
    const db = path.join(fleet.dataDir('A'), 'instance', 'app.db');
    const backup = path.join(dir, 'backup.db');
    await backupDatabase(db, backup);
    for (let i = 0; i < 3; i += 1) {
      await writeAll();
      await fleet.syncUntilQuiet(NAMES);
    }
    const a1 = siteOf(fleet.server('A'));
    const hub = fleet.server('B').db;
    const view = (hub.prepare('SELECT seq FROM _sync_peer_views WHERE site = ?').pluck().safeIntegers(false).get(a1) as number | undefined) ?? 0;
    const cursor = (hub.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().safeIntegers(false).get(a1) as number | undefined) ?? 0;
    expect(Math.max(view, cursor)).toBeGreaterThan(seqOf(backup)); // the hub knows A's history past the backup

    await fleet.stop('A');
    const a2 = giveNewSiteIdToFile(db).current;
    fleet.start('A');
    for (let i = 0; i < 3; i += 1) {
      await writeAll();
      await fleet.syncUntilQuiet(NAMES);
    }
    await fleet.stop('A');
    const a3 = (await restoreDatabase(backup, db, { overwrite: true })).siteId?.current;
    fleet.start('A');
    for (let i = 0; i < 3; i += 1) {
      await writeAll();
      await fleet.syncUntilQuiet(NAMES);
    }
    expect(siteOf(fleet.server('A'))).toBe(a3);
    expect(a2).not.toBe(a1);
    expect(fleet.logged.filter((l) => l.event === 'identity.changed' || /^SITE_(REWOUND|CLONED)$/.test(String(l.code)))).toEqual([]);
    const all = Array.from({ length: n - 1 }, (_, index) => index + 1);
    for (const name of NAMES) expect(teamNumbers(fleet.server(name))).toEqual(all);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(fleet.server('A').db));
  });
});
