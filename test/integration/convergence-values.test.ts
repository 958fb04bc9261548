import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { tempDir } from '../helpers/temp';
import { cells, Fleet, type FleetServer } from './convergence-fleet';

const MESH = { A: ['B', 'C'], B: ['A', 'C'], C: ['A', 'B'] } as const;
const NAMES = ['A', 'B', 'C'] as const;

describe('values and connection modes across three sample-app servers', () => {
  let fleet: Fleet;
  let cleanup: () => void;
  beforeEach(async () => {
    const temp = tempDir('ess-convergence-values-');
    cleanup = temp.cleanup;
    fleet = await Fleet.listen(temp.dir, MESH);
  });
  afterEach(async () => {
    await fleet.close();
    cleanup();
  });

  it('servers whose connection is in safe-integers mode before capture start, sync and converge', async () => {
    const [a, b] = NAMES.map((name) => fleet.start(name, { safeIntegers: true })) as [FleetServer, FleetServer, FleetServer];
    await request(a.url).post('/api/teams').send({ number: 254, name: 'Poofs' }).expect(201);
    a.db.prepare("INSERT INTO app_events (id, at, kind, value) VALUES (?, 'now', 'big', ?)").run(randomUUID(), 2n ** 63n - 1n);
    b.db.prepare("INSERT INTO app_events (id, at, kind, value) VALUES (?, 'now', 'small', ?)").run(randomUUID(), -(2n ** 63n));
    const results = await fleet.syncUntilQuiet(NAMES);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    for (const name of ['B', 'C'] as const) expect(cells(fleet.server(name).db)).toEqual(cells(a.db));
    expect(fleet.server('C').db.prepare("SELECT value FROM app_events WHERE kind = 'big'").pluck().safeIntegers(true).get()).toBe(2n ** 63n - 1n);
  });

  it('-0.0 in an untyped column and TEXT that is not valid UTF-8 arrive byte for byte', async () => {
    const [a] = NAMES.map((name) => fleet.start(name)) as [FleetServer, FleetServer, FleetServer];
    // As the sqlite3 shell would write them: a negative zero, a lone surrogate, a stray byte.
    a.db.prepare("INSERT INTO app_events (id, at, kind, detail, value) VALUES ('e1', 'now', 'zero', 'x' || char(55357), ?)").run(-0);
    a.db.prepare("INSERT INTO app_events (id, at, kind, detail, value) VALUES ('e2', 'now', 'bytes', CAST(X'FF61' AS TEXT), CAST(X'61C3' AS TEXT))").run();
    await fleet.syncUntilQuiet(NAMES);
    for (const name of ['B', 'C'] as const) {
      const db = fleet.server(name).db;
      expect(cells(db)).toEqual(cells(a.db));
      expect(db.prepare("SELECT hex(detail), hex(value), typeof(value) FROM app_events ORDER BY id").raw(true).all()).toEqual([
        ['78EDA0BD', '302E30', 'real'],
        ['FF61', '61C3', 'text'],
      ]);
      expect(Object.is(db.prepare("SELECT value FROM app_events WHERE id = 'e1'").pluck().get(), -0)).toBe(true);
    }
  });
});
