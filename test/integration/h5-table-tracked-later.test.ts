import { SchemaFleet, typedRows } from '../helpers/h5-schema-fleet';
import { tempDir } from '../helpers/temp';

// A table that already holds rows, added to `tables` one server at a time: the rows it held before
// capture are older than any write captured anywhere (docs/PROTOCOL.md, "Rows written before
// capture"), so the server that starts tracking last does not overwrite what the others wrote since.
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT, stars INTEGER);
INSERT INTO notes (id, body, stars) VALUES ('n1', 'seed', 1), ('n2', 'seed', 2);`;
const MESH = { A: ['B'], B: ['A'] } as const;

describe('a populated table added to the tracked tables on one server, then on the other, over HTTP', () => {
  let fleet: SchemaFleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-h5-tracked-later-');
    cleanup = temp.cleanup;
    fleet = await SchemaFleet.listen(temp.dir, MESH, SCHEMA);
    fleet.start('A', ['teams']);
    fleet.start('B', ['teams']);
    fleet.server('A').db.exec("INSERT INTO teams (id, name) VALUES ('t1', 'Poofs')");
    await fleet.syncUntilQuiet(['A', 'B']);
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  async function track(name: string): Promise<void> {
    await fleet.stop(name);
    fleet.start(name, ['teams', 'notes']);
  }

  it('an edit made on the first server after it started tracking survives the second one starting to track', async () => {
    await track('A');
    fleet.server('A').db.exec("UPDATE notes SET body = 'edited on A' WHERE id = 'n1'; INSERT INTO notes (id, body) VALUES ('n3', 'new on A')");
    await track('B');
    fleet.server('B').db.exec("UPDATE notes SET stars = 5 WHERE id = 'n2'");
    await fleet.syncUntilQuiet(['A', 'B']);
    for (const name of ['A', 'B']) {
      expect([name, fleet.server(name).db.prepare('SELECT id, body, stars FROM notes ORDER BY id').raw(true).all()]).toEqual([
        name,
        [
          ['n1', 'edited on A', 1],
          ['n2', 'seed', 5],
          ['n3', 'new on A', null],
        ],
      ]);
    }
  });

  it('rows that differ before tracking (written on each server alone) end the same on both, whichever started first', async () => {
    await fleet.stop('B');
    fleet.offline('B', "UPDATE notes SET body = 'B before tracking' WHERE id = 'n2'");
    fleet.start('B', ['teams']);
    await track('B');
    await track('A');
    await fleet.syncUntilQuiet(['A', 'B']);
    expect(typedRows(fleet.server('A').db, 'notes')).toEqual(typedRows(fleet.server('B').db, 'notes'));
  });
});
