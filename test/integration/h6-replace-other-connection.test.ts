import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { teamIdOf } from '../../sample-app/scouting-schema';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, ghosts, type FleetServer } from './convergence-fleet';

const NAMES = ['A', 'B', 'C'] as const;

/**
 * Statements an operator runs in the `sqlite3` shell on A's live database while
 * it runs (another connection, foreign keys on, with or without
 * recursive_triggers): REPLACE deletes the row holding the pit spot.
 */
const STATEMENTS: readonly (readonly [string, string])[] = [
  ['INSERT OR REPLACE', `INSERT OR REPLACE INTO teams (id, number, name, pit) VALUES ('${teamIdOf(5)}', 5, 'New', 'P1')`],
  ['UPDATE OR REPLACE', `UPDATE OR REPLACE teams SET pit = 'P1' WHERE id = '${teamIdOf(2)}'`],
];

describe.each([false, true])('a REPLACE from another connection to a running sample app (recursive_triggers %s)', (recursive) => {
  let fleet: Fleet;
  let cleanup: () => void;
  let a: FleetServer, b: FleetServer;
  beforeEach(async () => {
    const temp = tempDir('ess-h6-replace-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] });
    [a, b] = NAMES.map((name) => fleet.start(name)) as [FleetServer, FleetServer, FleetServer];
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it.each(STATEMENTS)('%s through the UNIQUE pit: the replaced team is gone everywhere, no ghost, no conflict, a peer edit of it does not bring it back', async (_name, sql) => {
    for (const number of [1, 2]) await request(a.url).post('/api/teams').send({ number, name: `Team ${number}` }).expect(201);
    a.db.prepare("UPDATE teams SET pit = 'P1' WHERE number = 1").run();
    await fleet.syncUntilQuiet(NAMES);
    const shell = new Database(path.join(a.dataDir, 'instance', 'app.db'));
    try {
      shell.pragma('foreign_keys = ON');
      shell.pragma(`recursive_triggers = ${recursive ? 'ON' : 'OFF'}`);
      shell.exec(sql);
    } finally {
      shell.close();
    }
    b.db.prepare("UPDATE teams SET name = 'edited on B' WHERE id = ?").run(teamIdOf(1));
    await fleet.syncUntilQuiet(NAMES);
    for (const name of NAMES) {
      const server = fleet.server(name);
      expect(cells(server.db)).toEqual(cells(a.db));
      expect(ghosts(server.db)).toEqual([]);
      expect((await request(server.url).get('/api/sync/data/conflicts').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200)).body).toEqual({ conflicts: [] });
      expect(server.db.prepare("SELECT number FROM teams WHERE pit = 'P1'").pluck().safeIntegers(false).all()).toEqual([sql.startsWith('INSERT') ? 5 : 2]);
      expect(server.db.prepare('SELECT count(*) FROM teams WHERE id = ?').pluck().safeIntegers(false).get(teamIdOf(1))).toBe(0);
    }
  });
});
