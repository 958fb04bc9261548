import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { silentLogger } from '../../lib/logger';
import type { SyncClient } from '../../lib/peers/sync-client';
import type { PeerSyncResult } from '../../lib/peers/sync-status';
import { createSyncNode } from '../../node/create-sync-node';
import { tempDb, TEST_SCHEMA, type TempDb } from '../helpers/data';
import { eventually } from '../helpers/h9-stalled-client';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

interface Node {
  readonly data: TempDb;
  readonly client: SyncClient;
  readonly tracker: ChangeTracker;
  readonly http: TestServer;
  readonly url: string;
}

/** Holds `POST …/data/changes` requests while closed; counts `GET …/data/changes` requests. */
class Gate {
  closed = false;
  held = 0;
  pulls = 0;
  #waiting: (() => void)[] = [];

  readonly middleware = (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.path.endsWith('/data/changes')) return next();
    if (req.method === 'GET') {
      this.pulls += 1;
      return next();
    }
    if (!this.closed) return next();
    this.held += 1;
    this.#waiting.push(next);
  };

  open(): void {
    this.closed = false;
    for (const next of this.#waiting.splice(0)) next();
  }
}

/**
 * Both servers of a link sync at the same time, and this server's push page is
 * on its way to the peer when the peer's pull asks for the same seqs: before,
 * the pull was served the same rows at once, so a burst written on one server
 * crossed the link twice (measured on a relay chain: B→C moved 1.3–1.4× the
 * rows). The pull now waits for the page to land and starts after it.
 */
describe('no echo when the peer pulls while a push page is on its way to it', () => {
  let temp: ReturnType<typeof tempDir>;
  let nodes: Node[];
  let gates: Map<string, Gate>;
  beforeEach(() => {
    temp = tempDir('ess-push-in-flight-');
    nodes = [];
    gates = new Map();
  });
  afterEach(async () => {
    for (const gate of gates.values()) gate.open();
    for (const node of nodes) await node.client.stop(0);
    for (const node of nodes) {
      await node.http.close();
      node.data.cleanup();
    }
    temp.cleanup();
  });

  /** A server behind a gate, listening before its sync node is made (its peer's URL is known then). */
  async function listen(name: string): Promise<{ http: TestServer; url: string; mount: (router: express.RequestHandler) => void }> {
    const gate = new Gate();
    gates.set(name, gate);
    let router: express.RequestHandler | undefined;
    const app = express().use(gate.middleware).use('/api/sync', (req, res, next) => (router === undefined ? next() : router(req, res, next)));
    const http = await startServer(app);
    return { http, url: `http://127.0.0.1:${http.port}/api/sync`, mount: (given) => (router = given) };
  }

  /** A server syncing `teams` and `reports` with one peer. */
  function node(name: string, at: Awaited<ReturnType<typeof listen>>, peer: string): Node {
    const data = tempDb(TEST_SCHEMA);
    const made = createSyncNode({ logger: silentLogger, peers: [peer], token: TEST_TOKEN, database: data.db, tables: ['teams', 'reports'], stateDir: path.join(temp.dir, name) });
    at.mount(made.router);
    const result: Node = { data, client: made.client as SyncClient, tracker: made.tracker as ChangeTracker, http: at.http, url: at.url };
    nodes.push(result);
    return result;
  }

  async function pair(): Promise<{ a: Node; b: Node; gateOfA: Gate }> {
    const [atA, atB] = [await listen('a'), await listen('b')];
    return { a: node('a', atA, atB.url), b: node('b', atB, atA.url), gateOfA: gates.get('a') as Gate };
  }

  /**
   * Two servers that know each other; 20 rows written on B; B's round pushes them, its page held at A's
   * door; A's round then pulls from B, its request at B. Returns both rounds, running.
   */
  async function pullMeetsPush(): Promise<{ a: Node; b: Node; gateOfA: Gate; bRound: Promise<PeerSyncResult>; aRound: Promise<PeerSyncResult> }> {
    const { a, b, gateOfA } = await pair();
    expect(await a.client.syncPeer(b.url)).toMatchObject({ ok: true });
    expect(await b.client.syncPeer(a.url)).toMatchObject({ ok: true });
    const insert = b.data.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
    for (let i = 0; i < 20; i += 1) insert.run(`b-${i}`, `team ${i}`);
    gateOfA.closed = true;
    const bRound = b.client.syncPeer(a.url);
    await eventually(30_000, () => gateOfA.held > 0, "B's push page held on its way to A");
    const pullsBefore = gates.get('b')?.pulls ?? 0;
    const aRound = a.client.syncPeer(b.url);
    await eventually(30_000, () => (gates.get('b')?.pulls ?? 0) > pullsBefore, "A's pull reaching B");
    return { a, b, gateOfA, bRound, aRound };
  }

  it('the pull waits for the push page and starts after it: each row crosses the link once', async () => {
    const { a, b, gateOfA, bRound, aRound } = await pullMeetsPush();
    await new Promise((resolve) => setImmediate(resolve));
    gateOfA.open();
    expect(await bRound).toMatchObject({ ok: true, rowsPushed: 20 });
    expect(await aRound).toMatchObject({ ok: true, rowsPulled: 0 });
    expect(a.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(20);
    // The page served claimed the seqs the push brought: A's cursor of B moved past them, as if it had pulled them.
    expect(a.tracker.pullCursor(b.tracker.siteId)).toBe(b.tracker.info().seq);
    // The link is quiet then, both ways.
    expect(await a.client.syncPeer(b.url)).toMatchObject({ ok: true, rowsPulled: 0, rowsPushed: 0 });
    expect(await b.client.syncPeer(a.url)).toMatchObject({ ok: true, rowsPulled: 0, rowsPushed: 0 });
  }, 60_000);

  it('a push page that does not land holds nothing back: the pull then brings its rows', async () => {
    const { b, a, gateOfA, bRound, aRound } = await pullMeetsPush();
    // B stops: its push is abandoned, the page never lands.
    await b.client.stop(0);
    expect(await bRound).toMatchObject({ ok: false });
    expect(await aRound).toMatchObject({ ok: true, rowsPulled: 20 });
    gateOfA.open();
    expect(a.data.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(20);
  }, 60_000);
});
