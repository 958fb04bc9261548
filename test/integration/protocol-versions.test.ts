import express from 'express';
import type Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { PeerHttp } from '../../lib/peers/peer-http';
import { syncErrorHandler } from '../../middleware/errors';
import { HttpTransport } from '../../lib/peers/transport-http';
import { createDataRouter } from '../../routes/data';
import { tableRows, trackedDb } from '../helpers/data';
import { startServer, type TestServer } from '../helpers/server';

type Tracked = ReturnType<typeof trackedDb>;

/** What a server saw of each data request: the protocol a GET asked for and the one a POSTed body says. */
interface Seen {
  readonly gets: (string | undefined)[];
  readonly posts: unknown[];
}

/**
 * A server's data routes, speaking `protocols` (`[1]` plays a server of an
 * older version), with a recorder in front that notes the protocol of every page.
 */
async function serve(side: Tracked, protocols?: readonly number[]): Promise<{ server: TestServer; seen: Seen }> {
  const seen: Seen = { gets: [], posts: [] };
  const app = express();
  app.use('/api/sync/data', express.json({ limit: '16mb' }), (req, _res, next) => {
    if (req.method === 'GET' && req.path === '/changes') seen.gets.push(typeof req.query.protocol === 'string' ? req.query.protocol : undefined);
    if (req.method === 'POST' && req.path === '/changes') seen.posts.push((req.body as { protocol?: unknown }).protocol);
    next();
  });
  app.use('/api/sync/data', createDataRouter({ tracker: side.tracker, maxChangesetBytes: 16 * 1024 * 1024, changesPageSize: 500, maxChangesPageSize: 5000, snapshots: undefined, protocols }));
  app.use(syncErrorHandler(silentLogger));
  return { server: await startServer(app), seen };
}

/** One round (handshake, pull, push) of `client` with the server at `url`, its client speaking `protocols`. */
async function round(client: Tracked, url: string, protocols?: readonly number[]): Promise<void> {
  const peer = new PeerHttp({ url: `${url}/api/sync`, token: undefined }, { protocols });
  const transport = new HttpTransport(peer, client.tracker, 25);
  try {
    await transport.exchange();
  } finally {
    await transport.close();
  }
}

/** Teams and reports (a foreign key, a UNIQUE) written on one side, over several pages. */
function write(db: Database.Database, prefix: string, count: number): void {
  const team = db.prepare('INSERT INTO teams (id, name, number, rating, logo) VALUES (?, ?, ?, ?, ?)');
  const report = db.prepare('INSERT INTO reports (id, team_id, match, scout, score, notes) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      team.run(`${prefix}-t${i}`, `${prefix} team ${i}`, i, i % 2 === 0 ? 1.5 : -0, i % 3 === 0 ? Buffer.from([i, 255]) : null);
      report.run(`${prefix}-r${i}`, `${prefix}-t${i}`, `Q${i}`, prefix, i, null);
    }
  })();
}

/** Later edits on one side: cells changed (a cell only update), rows deleted. */
function edit(db: Database.Database, prefix: string): void {
  db.prepare("UPDATE teams SET name = name || ' (edited)' WHERE id LIKE ? AND number % 4 = 0").run(`${prefix}-t%`);
  db.prepare('DELETE FROM reports WHERE id LIKE ? AND score % 5 = 0').run(`${prefix}-r%`);
}

function expectEqual(a: Tracked, b: Tracked): void {
  for (const table of ['teams', 'reports']) expect(tableRows(b.db, table)).toEqual(tableRows(a.db, table));
  expect(tableRows(a.db, 'teams')).toHaveLength(120);
}

describe('servers of two protocol versions sync both ways', () => {
  let sides: Tracked[];
  let servers: TestServer[];
  beforeEach(() => {
    sides = [trackedDb(), trackedDb()];
    servers = [];
  });
  afterEach(async () => {
    for (const server of servers) await server.close();
    for (const side of sides) side.cleanup();
  });

  /** Rows written on both sides, two rounds with edits between them; returns what the server saw. */
  async function exchange(serverProtocols: readonly number[] | undefined, clientProtocols: readonly number[] | undefined): Promise<Seen> {
    const [client, side] = sides as [Tracked, Tracked];
    const { server, seen } = await serve(side, serverProtocols);
    servers.push(server);
    write(client.db, 'c', 60);
    write(side.db, 's', 60);
    await round(client, server.url, clientProtocols);
    expectEqual(client, side);
    edit(client.db, 'c');
    edit(side.db, 's');
    await round(client, server.url, clientProtocols);
    expectEqual(client, side);
    return seen;
  }

  it('a new server and a client that only speaks protocol 1: pages in protocol 1 both ways', async () => {
    const seen = await exchange(undefined, [1]);
    expect(seen.gets.length).toBeGreaterThan(2);
    expect(new Set(seen.gets)).toEqual(new Set([undefined]));
    expect(seen.posts.length).toBeGreaterThan(2);
    expect(new Set(seen.posts)).toEqual(new Set([1]));
  });

  it('a new client and a server that only speaks protocol 1: pages in protocol 1 both ways', async () => {
    const seen = await exchange([1], undefined);
    expect(new Set(seen.gets)).toEqual(new Set([undefined]));
    expect(new Set(seen.posts)).toEqual(new Set([1]));
  });

  it('two new servers: compact pages (protocol 2) both ways', async () => {
    const seen = await exchange(undefined, undefined);
    expect(new Set(seen.gets)).toEqual(new Set(['2']));
    expect(new Set(seen.posts)).toEqual(new Set([2]));
  });

  it('a server of the older version answers /data/info without protocols, and refuses a compact page as an older server does', async () => {
    const [client, side] = sides as [Tracked, Tracked];
    const { server } = await serve(side, [1]);
    servers.push(server);
    const info = (await (await fetch(`${server.url}/api/sync/data/info`)).json()) as Record<string, unknown>;
    expect(info.protocol).toBe(1);
    expect(info).not.toHaveProperty('protocols');
    write(client.db, 'c', 1);
    const response = await fetch(`${server.url}/api/sync/data/changes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(client.tracker.readCompactChanges(0, 10)) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(tableRows(side.db, 'teams')).toEqual([]);
  });
});
