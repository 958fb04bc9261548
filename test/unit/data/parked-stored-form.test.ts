import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { syncToQuiescence, tableRows, trackedDbPageSchema, trackedServers, TEST_SCHEMA, type TrackedServer } from '../../helpers/data';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITE_A = 'ab'.repeat(16);
const SITE_B = 'cd'.repeat(16);
const HLC = 1_839_671_731_407_872;
const SCHEMA = trackedDbPageSchema();

/** A page from `site` that gives birth to the team every report names. */
function teamPage(site: string): Page {
  const cells = { name: 't1', number: 1, rating: null, logo: null };
  return { protocol: 1, site, schema: SCHEMA, sites: [site], changes: [{ table: 'teams', key: ['t1'], cl: 1, hlc: HLC - 5, site: 0, cells }] } as unknown as Page;
}

/** A hand-made page from `site`: a report `key` whose `scout` (a TEXT column) is sent as `scout`, a number or a string. */
function reportPage(key: string, site: string, scout: number | string, score: number | string = 1): Page {
  const own = (value: unknown): unknown => [value, HLC + 3, 0];
  const cells = { team_id: own('t1'), match: own('m'), scout: own(scout), score: own(score), notes: own(null) };
  return { protocol: 1, site, schema: SCHEMA, sites: [site], changes: [{ table: 'reports', key: [key], cl: 1, hlc: HLC, site: 0, cells }] } as unknown as Page;
}

/** The parked rows of a server as listConflicts shows them: key, reason and values. */
function parked(server: TrackedServer): unknown[] {
  return server.tracker.listConflicts().map((conflict) => [conflict.key, conflict.reason, conflict.parked]);
}

function withServers(count: number, run: (servers: TrackedServer[]) => void): void {
  const servers = trackedServers(count, TEST_SCHEMA, ['teams', 'reports']);
  try {
    for (const server of servers) server.tracker.applyChangeset(teamPage(SITE_A));
    run(servers);
  } finally {
    for (const server of servers) server.temp.cleanup();
  }
}

describe('parked rows hold values as their column stores them', () => {
  // A server stores the integer 5 sent to a TEXT column as '5'. A parked row used to keep the 5 as sent: its UNIQUE
  // claim then named another value than the same row in a table elsewhere, and two servers parked different rows.
  it('two servers that got one UNIQUE value in two forms park the same row', () => {
    withServers(2, ([first, second]) => {
      if (first === undefined || second === undefined) throw new Error('two servers');
      first.tracker.applyChangeset(reportPage('r1', SITE_B, 5));
      second.tracker.applyChangeset(reportPage('r1', SITE_A, '5'));
      second.tracker.applyChangeset(reportPage('r3', SITE_A, 5));
      syncToQuiescence([first.tracker, second.tracker]);
      expect(tableRows(second.temp.db, 'reports')).toEqual(tableRows(first.temp.db, 'reports'));
      expect(parked(second)).toEqual(parked(first));
      expect(parked(first)).toHaveLength(1);
    });
  });

  // A version before 5bfd0d4 parked values as sent, and a migration that changes a column's type converts the
  // table's rows only: a parked row may hold another form than its column stores. A tracker that starts converts it.
  it('a row parked in the form a page sent (an earlier version) is converted when the tracker starts', () => {
    withServers(2, ([first, second]) => {
      if (first === undefined || second === undefined) throw new Error('two servers');
      first.tracker.applyChangeset(reportPage('r1', SITE_B, 5));
      second.tracker.applyChangeset(reportPage('r1', SITE_A, '5'));
      second.tracker.applyChangeset(reportPage('r3', SITE_A, 5));
      const id = second.temp.db.prepare("SELECT id FROM _sync_tables WHERE name = 'reports'").pluck().get() as number;
      second.temp.db.prepare(`UPDATE _sync_parked_${id} SET scout = 5, score = '1' WHERE id = 'r3'`).run();
      const restarted = enableCapture(second.temp.db, { tables: ['teams', 'reports'] });
      expect(restarted.listConflicts()[0]?.parked).toMatchObject({ scout: '5', score: 1 });
      syncToQuiescence([first.tracker, restarted]);
      expect(tableRows(second.temp.db, 'reports')).toEqual(tableRows(first.temp.db, 'reports'));
      const listed = (tracker: ChangeTracker): unknown[] => tracker.listConflicts().map((conflict) => [conflict.key, conflict.reason, conflict.parked]);
      expect(listed(restarted)).toEqual(listed(first.tracker));
    });
  });

  it('a row parked for UNIQUE keeps a number sent to a TEXT column as text, and sends it so', () => {
    withServers(1, ([server]) => {
      if (server === undefined) throw new Error('one server');
      server.tracker.applyChangeset(reportPage('r1', SITE_A, '5'));
      server.tracker.applyChangeset(reportPage('r2', SITE_B, 5));
      const [conflict] = server.tracker.listConflicts();
      expect(conflict?.reason).toBe('UNIQUE');
      expect(conflict?.parked.scout).toBe('5');
      const page = server.tracker.readChanges(0, 100, 'ee'.repeat(16));
      const sent = JSON.stringify(page.changes.find((change) => JSON.stringify(change.key) === JSON.stringify([conflict?.key[0]])));
      expect(sent).toContain('"5"');
    });
  });

  it('a cell a later page writes into a parked row is kept as its column stores it', () => {
    withServers(1, ([server]) => {
      if (server === undefined) throw new Error('one server');
      server.tracker.applyChangeset(reportPage('r1', SITE_A, 's'));
      server.tracker.applyChangeset(reportPage('r2', SITE_B, 's'));
      const [conflict] = server.tracker.listConflicts();
      const key = conflict?.key[0];
      const later = { table: 'reports', key: [key], cl: 1, hlc: HLC, site: 0, cells: { score: ['7', HLC + 9, 0], notes: [12, HLC + 9, 0] } };
      server.tracker.applyChangeset({ protocol: 1, site: SITE_B, schema: SCHEMA, sites: [SITE_B], changes: [later] } as unknown as Page);
      const values = server.tracker.listConflicts()[0]?.parked;
      expect(values?.score).toBe(7); // INTEGER column: '7' becomes 7
      expect(values?.notes).toBe('12'); // TEXT column: 12 becomes '12'
    });
  });
});
