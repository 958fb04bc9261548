import express from 'express';
import type Database from 'better-sqlite3';
import { silentLogger } from '../../lib/logger';
import { PeerHttp } from '../../lib/peers/peer-http';
import { HttpTransport } from '../../lib/peers/transport-http';
import type { ExchangeCount } from '../../lib/peers/transport';
import { syncErrorHandler } from '../../middleware/errors';
import { createDataRouter } from '../../routes/data';
import { tableRows, trackedDb } from '../helpers/data';
import { startServer, type TestServer } from '../helpers/server';

type Tracked = ReturnType<typeof trackedDb>;
/** `[1]` plays a server of the version before compact pages; undefined speaks every protocol of this one. */
type Speaks = readonly number[] | undefined;

const OLD: Speaks = [1];
const NEW: Speaks = undefined;

/**
 * A chain A – B – C whose middle server B runs another version than its ends (issue 12: the compact
 * page is negotiated per link, so older peers still work). B syncs with both (it is the client of
 * both links), and relays what each end wrote to the other. protocol-versions.test.ts checks one
 * link; here a relay passes rows between links of two protocols, and must still move each row once
 * per link and direction (no echo), whichever protocol carries it.
 */
describe('a chain of three servers of mixed versions', () => {
  let sides: Tracked[] = [];
  let servers: TestServer[] = [];
  let transports: HttpTransport[] = [];
  afterEach(async () => {
    for (const transport of transports) await transport.close();
    for (const server of servers) await server.close();
    for (const side of sides) side.cleanup();
    [sides, servers, transports] = [[], [], []];
  });

  /** An end's data routes, noting the protocol of every page asked for and pushed to it. */
  async function serve(side: Tracked, speaks: Speaks, seen: Set<string>): Promise<string> {
    const app = express();
    app.use('/api/sync/data', express.json({ limit: '16mb' }), (req, _res, next) => {
      if (req.method === 'GET' && req.path === '/changes') seen.add(`GET ${String(req.query.protocol ?? 1)}`);
      if (req.method === 'POST' && req.path === '/changes') seen.add(`POST ${String((req.body as { protocol?: unknown }).protocol)}`);
      next();
    });
    app.use('/api/sync/data', createDataRouter({ tracker: side.tracker, maxChangesetBytes: 16 * 1024 * 1024, changesPageSize: 500, maxChangesPageSize: 5000, snapshots: undefined, protocols: speaks }));
    app.use(syncErrorHandler(silentLogger));
    const server = await startServer(app);
    servers.push(server);
    return `${server.url}/api/sync`;
  }

  function link(client: Tracked, url: string, speaks: Speaks): HttpTransport {
    const transport = new HttpTransport(new PeerHttp({ url, token: undefined }, { protocols: speaks }), client.tracker, 25);
    transports.push(transport);
    return transport;
  }

  function write(db: Database.Database, prefix: string, count: number): void {
    const insert = db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < count; i += 1) insert.run(`${prefix}-${i}`, `${prefix} team ${i}`, i);
    })();
  }

  const counts = (count: ExchangeCount): [number, number] => [count.rowsIn, count.rowsOut];

  it.each([
    ['new – old – new', NEW, OLD, NEW, ['GET 1', 'POST 1']],
    ['old – new – old', OLD, NEW, OLD, ['GET 1', 'POST 1']],
    ['new – new – new (compact pages on both links)', NEW, NEW, NEW, ['GET 2', 'POST 2']],
  ] as const)('%s: converges, each row once per link and direction, in the protocol both ends of the link speak', async (_name, speaksA, speaksB, speaksC, expected) => {
    const [a, b, c] = [trackedDb(), trackedDb(), trackedDb()];
    sides = [a, b, c];
    const [seenA, seenC] = [new Set<string>(), new Set<string>()];
    const toA = link(b, await serve(a, speaksA, seenA), speaksB);
    const toC = link(b, await serve(c, speaksC, seenC), speaksB);
    write(a.db, 'a', 100);
    write(c.db, 'c', 40);
    // Round 1: B pulls A's 100 rows, then pulls C's 40 and pushes A's 100 on to C.
    expect(counts(await toA.exchange())).toEqual([100, 0]);
    expect(counts(await toC.exchange())).toEqual([40, 100]);
    write(b.db, 'b', 10);
    // Round 2: A gets C's 40 and B's 10 (never its own 100 back); C gets B's 10 only.
    expect(counts(await toA.exchange())).toEqual([0, 50]);
    expect(counts(await toC.exchange())).toEqual([0, 10]);
    // Round 3: nothing is left to move, either way.
    expect(counts(await toA.exchange())).toEqual([0, 0]);
    expect(counts(await toC.exchange())).toEqual([0, 0]);
    expect(tableRows(a.db, 'teams')).toHaveLength(150);
    for (const side of [b, c]) expect(tableRows(side.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect([...seenA].sort()).toEqual([...expected]);
    expect([...seenC].sort()).toEqual([...expected]);
  });
});
