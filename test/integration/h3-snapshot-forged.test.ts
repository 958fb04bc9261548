import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { enableCapture } from '../../lib/data/capture';
import { silentLogger } from '../../lib/logger';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { SyncClient } from '../../lib/peers/sync-client';
import { dbDigest, TEST_SCHEMA, tempDb } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, siteOf, startPeer, TABLES, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A peer in front of `real` that answers GET /data/snapshot with its real snapshot changed by `sql` (hash and size announced to match), and passes every other request to `real`. */
async function forgingPeer(real: Peer, dir: string, sql: (site: string) => string, mustChangeRows = false): Promise<{ url: string; snapshots(): number; close(): Promise<void> }> {
  let snapshots = 0;
  const answer = await request(real.server.app).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const file = path.join(dir, `forged-${randomUUID()}.sqlite3`);
  writeFileSync(file, answer.body as Buffer);
  const db = new Database(file);
  try {
    db.exec(sql(String(answer.headers['x-sync-site'])));
    if (mustChangeRows) expect(db.prepare('SELECT total_changes()').pluck().get()).toBeGreaterThan(0);
  } finally {
    db.close();
  }
  const body = readFileSync(file);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/sync/data/snapshot') === true) {
      snapshots += 1;
      for (const name of ['content-type', 'x-sync-site', 'x-sync-seq', 'x-sync-mark']) res.setHeader(name, String(answer.headers[name]));
      res.setHeader('X-Content-SHA256', createHash('sha256').update(body).digest('hex'));
      res.setHeader('X-Snapshot-Bytes', String(body.length));
      res.end(body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const passed = http.request(`${real.server.url}${req.url ?? ''}`, { method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      passed.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    snapshots: () => snapshots,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A peer holding `teams` teams in its own temp folder, as the cases below forge its snapshot. */
interface TeamsPeer {
  readonly temp: ReturnType<typeof tempDir>;
  readonly peer: Peer;
}

async function startTeamsPeer(prefix: string, teams: number): Promise<TeamsPeer> {
  const temp = tempDir(prefix);
  const peer = await startPeer(temp.dir);
  addTeams(peer.data.db, teams, 'a');
  return { temp, peer };
}

async function stopTeamsPeer({ temp, peer }: TeamsPeer): Promise<void> {
  await peer.server.close();
  peer.data.cleanup();
  temp.cleanup();
}

describe('join from a peer whose snapshot was forged (hash and size announced to match)', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    ({ temp, peer } = await startTeamsPeer('ess-h3-forged-', 40));
  });
  afterAll(() => stopTeamsPeer({ temp, peer }));

  // Before: each was joined, the database put in place, and only the pull after it failed
  // (exit code 2, "the server catches up at its first sync"): it never could — its capture
  // refuses the missing table, or its schema differs from the peer's (SCHEMA_MISMATCH for ever).
  const schemas: ReadonlyArray<readonly [string, string]> = [
    ['a tracked table listed but missing', "INSERT INTO _sync_tables (name) VALUES ('ghost')"],
    ['a column the peer does not have', 'ALTER TABLE teams ADD COLUMN planted TEXT'],
    ['a tracked table dropped', 'DROP TABLE reports'],
  ];

  it.each(schemas)('refuses %s: SNAPSHOT_MISMATCH, nothing left where the database would go', async (_name, sql) => {
    const forged = await forgingPeer(peer, temp.dir, () => sql);
    const dir = path.join(temp.dir, `case-${randomUUID()}`);
    mkdirSync(dir);
    try {
      await expect(joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: path.join(dir, 'app.db') })).rejects.toMatchObject({
        code: 'SNAPSHOT_MISMATCH',
        message: expect.stringMatching(/tracked/) as unknown,
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await forged.close();
    }
  });
});

describe('snapshots whose cursors were forged', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeEach(async () => {
    ({ temp, peer } = await startTeamsPeer('ess-h3-forged-cursors-', 40));
  });
  afterEach(() => stopTeamsPeer({ temp, peer }));

  const ahead = 1_000_000_000;
  const pullCursorOf = (db: Database.Database, site: string): unknown => db.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().get(site);

  // Before: the joiner kept the forged cursor (the larger one won), so its first handshake told
  // the sender it held the sender's changes up to seq 1e9: the sender took itself for a rewound
  // file and gave itself a new site id (every peer then receives all its rows again).
  it('a pull cursor for the sender itself: the joiner starts at the announced seq, and the sender keeps its site id', async () => {
    const site = siteOf(peer.data.file);
    const forged = await forgingPeer(peer, temp.dir, (sender) => `INSERT INTO _sync_peers (site, seq) VALUES ('${sender}', ${ahead})`);
    const target = path.join(temp.dir, 'joined.db');
    try {
      const result = await joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: target });
      expect(result.pullError).toBeUndefined();
      const db = new Database(target, { readonly: true });
      try {
        expect(pullCursorOf(db, site)).toBe(result.snapshotSeq);
      } finally {
        db.close();
      }
      expect(siteOf(peer.data.file)).toBe(site);
    } finally {
      await forged.close();
    }
  });

  it('the same into an empty running database (joinBySnapshot)', async () => {
    const site = siteOf(peer.data.file);
    const forged = await forgingPeer(peer, temp.dir, (sender) => `INSERT INTO _sync_peers (site, seq) VALUES ('${sender}', ${ahead})`);
    const fresh = tempDb(TEST_SCHEMA);
    const client = new SyncClient({ logger: silentLogger, peers: [forged.url], token: TEST_TOKEN, data: enableCapture(fresh.db, { tables: TABLES }), snapshotMinChanges: 1 });
    try {
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: true, rowsPulled: 40 });
      expect(pullCursorOf(fresh.db, site)).toBe(40);
      addTeams(peer.data.db, 3, 'later');
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: true, rowsPulled: 3 });
      expect(siteOf(peer.data.file)).toBe(site);
    } finally {
      await client.stop();
      await forged.close();
      fresh.cleanup();
    }
  });

  // Before: taken as it was, so the joiner never pushed its own writes to that peer (its push
  // cursor only moves up): they reached it only if that peer pulled from the joiner itself.
  it('a push cursor past the snapshot\'s own seq is SNAPSHOT_CORRUPT, as a file or into a running database, and nothing is kept', async () => {
    const forged = await forgingPeer(peer, temp.dir, () => `INSERT INTO _sync_pushed (site, seq) VALUES ('${'c'.repeat(32)}', ${ahead})`);
    const dir = path.join(temp.dir, 'pushed-ahead');
    mkdirSync(dir);
    const fresh = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    const client = new SyncClient({ logger: silentLogger, peers: [forged.url], token: TEST_TOKEN, data: tracker, snapshotMinChanges: 1 });
    try {
      await expect(joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: path.join(dir, 'app.db') })).rejects.toMatchObject({
        code: 'SNAPSHOT_CORRUPT',
        message: expect.stringMatching(/push cursor .* past its own seq/) as unknown,
      });
      expect(readdirSync(dir)).toEqual([]);
      const before = dbDigest(fresh.db, true);
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_CORRUPT' } });
      expect(dbDigest(fresh.db, true)).toBe(before);
      expect(tracker.holdsNoSyncedData()).toBe(true);
      expect(fresh.db.prepare('SELECT count(*) FROM _sync_pushed WHERE seq > 0').pluck().get()).toBe(0);
    } finally {
      await client.stop();
      await forged.close();
      fresh.cleanup();
    }
  });
});

// Before: joined and put in place; the new server then failed every page it served to a peer
// ("unknown site number 77 in _sync_ metadata": 500 on each GET /data/changes). An import into a
// running database refused the same snapshot already (its copy of the metadata must map whole).
describe('snapshots whose clock metadata names what they do not list, or holds values no page may carry', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    ({ temp, peer } = await startTeamsPeer('ess-h3-forged-meta-', 30));
    peer.data.db.exec("UPDATE teams SET name = 'renamed' WHERE id IN (SELECT id FROM teams ORDER BY id LIMIT 3)"); // cell clocks of their own
  });
  afterAll(() => stopTeamsPeer({ temp, peer }));

  const unlisted = /metadata names/;
  // Helper r2's find: a snapshot whose clocks no page may carry (a causal length of -5, a TEXT clock, a site id that is
  // not hex, no state row) was joined and imported; the new server then served pages its peers refused on every round
  // (INVALID_CHANGESET "cl (≥ 1), hlc and site must be non-negative integers").
  const unsendable = /no page may carry/;
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['a row clock of a site not listed', 'UPDATE _sync_rows SET site = 77 WHERE born = (SELECT min(born) FROM _sync_rows)', unlisted],
    ['a row clock of a table not tracked', "INSERT INTO _sync_rows (born, tbl, pk, cl, hlc, site) VALUES ((SELECT max(born) + 1 FROM _sync_rows), 99, 'x', 1, 1, 0)", unlisted],
    ['a cell clock of a column not listed', 'UPDATE _sync_cells SET col = 99 WHERE pk = (SELECT pk FROM _sync_cells LIMIT 1)', unlisted],
    ['a cell clock of a site not listed', 'UPDATE _sync_cells SET site = 77 WHERE pk = (SELECT pk FROM _sync_cells LIMIT 1)', unlisted],
    ['a causal length below 1', 'UPDATE _sync_rows SET cl = -5 WHERE born = (SELECT min(born) FROM _sync_rows)', unsendable],
    ['a row clock past 2^53 - 1', `UPDATE _sync_rows SET hlc = ${2 ** 53} WHERE born = (SELECT min(born) FROM _sync_rows)`, unsendable],
    ['a cell clock that is TEXT', "UPDATE _sync_cells SET hlc = 'soon' WHERE pk = (SELECT pk FROM _sync_cells LIMIT 1)", unsendable],
    ['a logged write whose clock is REAL', "INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) VALUES ((SELECT max(seq) FROM _sync_log), 1, 1, 'x', -1, 1.5) ON CONFLICT (seq) DO UPDATE SET hlc = 1.5", unsendable],
    ['a site id that is not hex', `INSERT INTO _sync_sites (id, site) VALUES (50, '${'z'.repeat(32)}')`, unsendable],
    ['no state row', 'DELETE FROM _sync_state', unsendable],
  ];

  it.each(cases)('refuses %s: SNAPSHOT_CORRUPT as a file or into a running database, and nothing is kept', async (_name, sql, message) => {
    const forged = await forgingPeer(peer, temp.dir, () => sql, true);
    const dir = path.join(temp.dir, `case-${randomUUID()}`);
    mkdirSync(dir);
    const fresh = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    const client = new SyncClient({ logger: silentLogger, peers: [forged.url], token: TEST_TOKEN, data: tracker, snapshotMinChanges: 1 });
    try {
      await expect(joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: path.join(dir, 'app.db') })).rejects.toMatchObject({
        code: 'SNAPSHOT_CORRUPT',
        message: expect.stringMatching(message) as unknown,
      });
      expect(readdirSync(dir)).toEqual([]);
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: false, error: { code: 'SNAPSHOT_CORRUPT' } });
      expect(tracker.holdsNoSyncedData()).toBe(true);
    } finally {
      await client.stop();
      await forged.close();
      fresh.cleanup();
    }
  });
});

// Helper r3's find: the bound on clocks ahead (maxClockSkewMs) held for pages but not for snapshots: a fresh
// server joined (or started from the snapshot of) a server whose clock had been a year ahead, took its clocks,
// stamped its own next writes past them, and its correct peers then refused its pages as CLOCK_SKEW.
describe('a snapshot holding a clock further ahead than maxClockSkewMs', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    ({ temp, peer } = await startTeamsPeer('ess-r0-future-snapshot-', 20));
  });
  afterAll(() => stopTeamsPeer({ temp, peer }));

  const dayAhead = 24 * 3600 * 1000 * 1024;

  it('is CLOCK_SKEW for a join, nothing kept; an empty running server pages instead, and asks for no snapshot again', async () => {
    const forged = await forgingPeer(peer, temp.dir, () => `UPDATE _sync_rows SET hlc = hlc + ${dayAhead} WHERE born = (SELECT max(born) FROM _sync_rows)`, true);
    const dir = path.join(temp.dir, 'joined');
    mkdirSync(dir);
    const fresh = tempDb(TEST_SCHEMA);
    const tracker = enableCapture(fresh.db, { tables: TABLES });
    const client = new SyncClient({ logger: silentLogger, peers: [forged.url], token: TEST_TOKEN, data: tracker, snapshotMinChanges: 1 });
    try {
      await expect(joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: path.join(dir, 'app.db') })).rejects.toMatchObject({
        code: 'CLOCK_SKEW',
        message: expect.stringMatching(/snapshot carries a clock 86\d\d\d s ahead/) as unknown,
      });
      expect(readdirSync(dir)).toEqual([]);
      // Reviewer s2: the running server threw at its handshake phase every round (its files never ran) and
      // downloaded the snapshot again each time. Now it pages, and these pages (the real peer's) pass.
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: true, rowsPulled: 20 });
      expect(await client.syncPeer(forged.url)).toMatchObject({ ok: true, rowsPulled: 0 });
      expect(forged.snapshots()).toBe(2); // the join's, and the running server's once
      expect(fresh.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(20);
    } finally {
      await client.stop();
      await forged.close();
      fresh.cleanup();
    }
  });

  it('is taken by a server whose own maxClockSkewMs allows it, and refused by one as far behind with the default bound', async () => {
    const behind = tempDb(TEST_SCHEMA);
    const agreeing = tempDb(TEST_SCHEMA);
    const url = `${peer.server.url}/api/sync`;
    const lenient = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(behind.db, { tables: TABLES, now: () => Date.now() - 3_600_000, maxClockSkewMs: 2 * 3_600_000 }), snapshotMinChanges: 1 });
    const strict = new SyncClient({ logger: silentLogger, peers: [url], token: TEST_TOKEN, data: enableCapture(agreeing.db, { tables: TABLES, now: () => Date.now() - 3_600_000 }), snapshotMinChanges: 1 });
    try {
      expect(await lenient.syncPeer(url)).toMatchObject({ ok: true, rowsPulled: 20 });
      expect(await strict.syncPeer(url)).toMatchObject({ ok: false, error: { code: 'CLOCK_SKEW' } });
    } finally {
      await lenient.stop();
      await strict.stop();
      behind.cleanup();
      agreeing.cleanup();
    }
  });
});

// Reviewer s1's find: the check above first bounded the causal length at 2^53 - 1, refusing the snapshot of a
// database from before the wire's bound (2^50), where a row received at 2^53 - 1 and deleted is kept at 2^53:
// pages send it as the bound, and so may a snapshot.
describe('a snapshot of a database from before the bound on causal lengths', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeAll(async () => {
    ({ temp, peer } = await startTeamsPeer('ess-r0-legacy-cl-', 10));
  });
  afterAll(() => stopTeamsPeer({ temp, peer }));

  it('is joined, not refused as corrupt', async () => {
    const forged = await forgingPeer(peer, temp.dir, () => 'UPDATE _sync_rows SET cl = 9007199254740992 WHERE born = (SELECT min(born) FROM _sync_rows)', true);
    const target = path.join(temp.dir, 'joined.db');
    try {
      const result = await joinFromPeer({ url: forged.url, token: TEST_TOKEN, db: target });
      expect(result).toMatchObject({ pullError: undefined, snapshotSeq: expect.any(Number) as unknown });
      const db = new Database(target, { readonly: true });
      try {
        expect(db.prepare('SELECT max(cl) FROM _sync_rows').pluck().get()).toBe(9007199254740992);
      } finally {
        db.close();
      }
    } finally {
      await forged.close();
    }
  });
});
