import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { syncRefusal, trackedServers, type TrackedServer } from '../../helpers/data';

type Page = Parameters<ChangeTracker['applyChangeset']>[0];

const SITES = ['ab'.repeat(16), 'cd'.repeat(16)];
const HLC = 1_839_671_731_407_872;
const SCHEMA = 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u INTEGER UNIQUE, w INTEGER NOT NULL) STRICT;';

/*
 * A parked row's table has no types nor NOT NULL. A cell a page wrote into a parked row of a STRICT table was taken
 * whatever its column says ('7.5' was parked as the REAL 7.5 in an INTEGER column), while a server holding
 * the row in its table refused the page (INVALID_VALUE): the parking server then served the row with a value
 * every such server refused, page after page, for good, and could never bring the row back.
 */
describe('a cell written into a parked row of a STRICT table, NOT NULL', () => {
  let servers: TrackedServer[] = [];
  let page: (site: number, key: string, change: Record<string, unknown>) => Page;

  beforeEach(() => {
    servers = trackedServers(2, SCHEMA, ['t']);
    const [parking, holding] = servers as [TrackedServer, TrackedServer];
    const schema = parking.tracker.readChanges(0, 1, 'ee'.repeat(16)).schema;
    page = (site, key, change) => ({ protocol: 1, site: SITES[site], schema, sites: [SITES[site]], changes: [{ table: 't', key: [key], site: 0, ...change }] }) as unknown as Page;
    parking.tracker.applyChangeset(page(0, 'r1', { cl: 1, hlc: HLC, cells: { u: 5, w: 1 } }));
    for (const server of [parking, holding]) server.tracker.applyChangeset(page(1, 'r2', { cl: 1, hlc: HLC + 10, cells: { u: 5, w: 1 } }));
    expect(parking.tracker.listConflicts().map((conflict) => conflict.key)).toEqual([['r2']]);
    expect(holding.tracker.listConflicts()).toEqual([]);
  });

  afterEach(() => {
    for (const server of servers) server.temp.cleanup();
  });

  it.each([
    ['7.5', 'cannot store REAL value in INTEGER column t.w'],
    [null, 'NOT NULL constraint failed: t.w'],
  ])('is refused as a write to the table is, when its column refuses it (%j)', (value, said) => {
    const [parking, holding] = servers as [TrackedServer, TrackedServer];
    const write = page(1, 'r2', { cl: 1, hlc: HLC + 10, cells: { w: [value, HLC + 30, 0] } });
    const refusals = [parking, holding].map((server) => syncRefusal(() => server.tracker.applyChangeset(write)));
    for (const refusal of refusals) {
      expect(refusal.code).toBe('INVALID_VALUE');
      expect(refusal.message).toContain(said);
    }
    expect(parking.tracker.listConflicts()[0]?.parked).toEqual({ id: 'r2', u: 5, w: 1 });
  });

  it('is taken as the column stores it, when the column takes it', () => {
    const [parking, holding] = servers as [TrackedServer, TrackedServer];
    const write = page(1, 'r2', { cl: 1, hlc: HLC + 10, cells: { w: ['7', HLC + 30, 0] } });
    for (const server of [parking, holding]) server.tracker.applyChangeset(write);
    expect(parking.tracker.listConflicts()[0]?.parked).toEqual({ id: 'r2', u: 5, w: 7 });
    expect(holding.temp.db.prepare("SELECT typeof(w), w FROM t WHERE id = 'r2'").raw(true).get()).toEqual(['integer', 7]);
  });
});
