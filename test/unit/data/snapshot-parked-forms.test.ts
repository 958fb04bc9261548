import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { SnapshotSource } from '../../../lib/data/snapshot-source';
import { syncToQuiescence, tableRows, tempDb, trackedDbPageSchema, trackedServers, TEST_SCHEMA, type TempDb, type TrackedServer } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE_A = 'ab'.repeat(16);
const SITE_B = 'cd'.repeat(16);
const HLC = 1_839_671_731_407_872;
const SCHEMA = trackedDbPageSchema();
const TABLES = ['teams', 'reports'];

function teamPage(site: string): Page {
  const cells = { name: 't1', number: 1, rating: null, logo: null };
  return { protocol: 1, site, schema: SCHEMA, sites: [site], changes: [{ table: 'teams', key: ['t1'], cl: 1, hlc: HLC - 5, site: 0, cells }] } as unknown as Page;
}

/** A report `key` from `site` whose `scout` (TEXT, part of a UNIQUE) is sent as `scout`. */
function reportPage(key: string, site: string, scout: number | string): Page {
  const own = (value: unknown): unknown => [value, HLC + 3, 0];
  const cells = { team_id: own('t1'), match: own('m'), scout: own(scout), score: own(1), notes: own(null) };
  return { protocol: 1, site, schema: SCHEMA, sites: [site], changes: [{ table: 'reports', key: [key], cl: 1, hlc: HLC, site: 0, cells }] } as unknown as Page;
}

const listed = (tracker: ChangeTracker): unknown[] => tracker.listConflicts().map((conflict) => [conflict.key, conflict.reason, conflict.parked]);

/**
 * A version before 5bfd0d4 parked values as a page sent them (5 in a TEXT column, where the table holds '5'); a
 * tracker converts them when it starts. A snapshot from such a server brought its parked rows along as they were,
 * and they stayed so until the joiner restarted: its conflicts list showed `scout: 5` where every other server's
 * shows `'5'`. Now the import converts them, as a start does.
 */
describe('a snapshot whose parked rows hold values in the form a page sent', () => {
  let servers: TrackedServer[] = [];
  let joiner: TempDb | undefined;
  const dir = tempDir('ess-snap-forms-');
  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
    servers = [];
    joiner?.cleanup();
  });
  afterAll(() => dir.cleanup());

  it('is imported with them in the form their columns store: the joiner lists and keeps the same parked rows as its peers, before any restart', async () => {
    servers = trackedServers(2, TEST_SCHEMA, TABLES);
    const [first, sender] = servers as [TrackedServer, TrackedServer];
    for (const server of servers) server.tracker.applyChangeset(teamPage(SITE_A));
    first.tracker.applyChangeset(reportPage('r1', SITE_B, 5));
    sender.tracker.applyChangeset(reportPage('r1', SITE_A, '5'));
    sender.tracker.applyChangeset(reportPage('r3', SITE_A, 5));
    syncToQuiescence([first.tracker, sender.tracker]);
    const id = sender.temp.db.prepare("SELECT id FROM _sync_tables WHERE name = 'reports'").pluck().get() as number;
    expect(listed(sender.tracker)).toEqual(listed(first.tracker));
    const parkedKey = sender.tracker.listConflicts()[0]?.key[0];
    sender.temp.db.prepare(`UPDATE _sync_parked_${id} SET scout = 5`).run(); // as an earlier version parked it

    const lease = await new SnapshotSource(sender.temp.db, TABLES).acquire();
    const file = path.join(dir.dir, 'snapshot.sqlite3');
    writeFileSync(file, readFileSync(lease.file));
    lease.release();
    joiner = tempDb(TEST_SCHEMA);
    const joined = enableCapture(joiner.db, { tables: TABLES });
    joined.importSnapshot(file, { site: lease.site, seq: lease.seq });

    expect(joined.listConflicts()[0]?.parked).toMatchObject({ id: parkedKey, scout: '5' });
    syncToQuiescence([first.tracker, joined]);
    expect(listed(joined)).toEqual(listed(first.tracker));
    const holder = first.temp.db.prepare('SELECT id FROM reports').pluck().get() as string;
    first.temp.db.prepare('DELETE FROM reports WHERE id = ?').run(holder); // the parked row takes its place
    syncToQuiescence([first.tracker, joined]);
    expect(tableRows(joiner.db, 'reports')).toEqual(tableRows(first.temp.db, 'reports'));
    expect(tableRows(joiner.db, 'reports').map((row) => row[0])).toEqual([parkedKey]);
    expect(listed(joined)).toEqual(listed(first.tracker));
  });
});
