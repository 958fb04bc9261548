import { SchemaFleet, typedRows } from '../helpers/h5-schema-fleet';
import { tempDir } from '../helpers/temp';

// In a key column without type affinity SQLite holds INTEGER 1 and REAL 1.0 (and 0 and -0.0) as one key.
// Two servers creating that row, one with each spelling, end with one stored form everywhere: the form of
// the row's earliest birth by (hlc, site) (docs/PROTOCOL.md, "Values"), whatever reached whom first.
const SCHEMA = `
CREATE TABLE items (k PRIMARY KEY NOT NULL, v TEXT);
CREATE TABLE pairs (g TEXT NOT NULL, k BLOB NOT NULL, v TEXT, PRIMARY KEY (g, k)) WITHOUT ROWID;
CREATE TABLE badges (k PRIMARY KEY NOT NULL, code TEXT UNIQUE);`;
const TABLES = ['items', 'pairs', 'badges'];
const CHAIN = { A: ['B'], B: ['A', 'C'], C: ['B'] } as const;
const NAMES = ['A', 'B', 'C'] as const;

describe('one key written as 1 and as 1.0 on two servers of a chain, over HTTP', () => {
  let fleet: SchemaFleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-h5-key-forms-');
    cleanup = temp.cleanup;
    fleet = await SchemaFleet.listen(temp.dir, CHAIN, SCHEMA);
    for (const name of NAMES) fleet.start(name, TABLES);
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  const forms = (name: string): unknown[] => fleet.server(name).db.prepare("SELECT 'items', typeof(k), quote(k) FROM items UNION ALL SELECT 'pairs', typeof(k), quote(k) FROM pairs").raw(true).all();

  it.each([
    ['A', 'C'],
    ['C', 'A'],
  ])('the earliest birth (%s, then %s) decides the stored form on every server', async (first, second) => {
    const spelling = (name: string): [string, string] => (name === 'A' ? ['1', '-0.0'] : ['1.0', '0']);
    for (const name of [first, second]) {
      const [one, zero] = spelling(name);
      fleet.server(name).db.exec(`INSERT INTO items (k, v) VALUES (${one}, 'from ${name}'); INSERT INTO pairs (g, k, v) VALUES ('g', ${zero}, 'from ${name}')`);
    }
    const expected = forms(first);
    expect(forms(second)).not.toEqual(expected);
    // B hears C first, then A: the later birth arrives first on one side of the chain.
    await fleet.server('C').node.syncNow();
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect([name, forms(name)]).toEqual([name, expected]);
    expectSameRows();
  });

  function expectSameRows(): void {
    for (const table of TABLES) {
      const rows = typedRows(fleet.server('A').db, table);
      for (const name of ['B', 'C']) expect([name, typedRows(fleet.server(name).db, table)]).toEqual([name, rows]);
    }
  }

  it('a parked row (its UNIQUE value claimed earlier elsewhere) takes the same form and conflict id everywhere', async () => {
    fleet.server('B').db.exec("INSERT INTO badges (k, code) VALUES ('holder', 'gold')");
    fleet.server('A').db.exec("INSERT INTO badges (k, code) VALUES (7, 'gold')");
    fleet.server('C').db.exec("INSERT INTO badges (k, code) VALUES (7.0, 'gold')");
    await fleet.server('C').node.syncNow();
    await fleet.syncUntilQuiet(NAMES);
    const conflicts = NAMES.map((name) => fleet.server(name).db.prepare('SELECT id, table_name, key, parked FROM _sync_conflicts').raw(true).all());
    expect(conflicts[0]).toHaveLength(1);
    expect(conflicts[0]?.[0]).toEqual([expect.any(String), 'badges', '[7]', expect.any(String)]);
    expect(conflicts[1]).toEqual(conflicts[0]);
    expect(conflicts[2]).toEqual(conflicts[0]);
    const parked = (name: string): unknown => fleet.server(name).db.prepare("SELECT typeof(k), quote(k) FROM _sync_parked_3").raw(true).all();
    for (const name of NAMES) expect([name, parked(name)]).toEqual([name, [['integer', '7']]]);
    expectSameRows();
  });

  it('a row deleted and written again in the other form (a new life) takes that form on every server, also where the delete was never seen', async () => {
    fleet.server('A').db.exec("INSERT INTO items (k, v) VALUES (1, 'first life'); INSERT INTO pairs (g, k, v) VALUES ('g', 2, 'first life')");
    await fleet.syncUntilQuiet(NAMES);
    fleet.server('A').db.exec("DELETE FROM items; INSERT INTO items (k, v) VALUES (1.0, 'second life'); DELETE FROM pairs; INSERT INTO pairs (g, k, v) VALUES ('g', 2.0, 'second life')");
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) expect([name, forms(name)]).toEqual([name, [['items', 'real', '1.0'], ['pairs', 'real', '2.0']]]);
    expectSameRows();
  });
});
