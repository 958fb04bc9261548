import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { userDigest } from '../helpers/convergence';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { addTeams, TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/** A server listening on 127.0.0.1 whose sync node is given once its peers' URLs are known. */
interface Slot {
  readonly server: TestServer;
  readonly url: string;
  node: SyncNode | undefined;
}

/**
 * A chain A – B – C where B joined from A's snapshot and C from B's (`joinFromPeer`, as the
 * CLI's `join` does), then rows are written, changed and deleted at both ends. What the
 * snapshots carried never crosses a link again, each change crosses each link once per
 * direction (counted in the rounds' `rowsPulled`/`rowsPushed`, which /status and /metrics
 * show), every server has its own site id, and all three converge.
 */
describe('a relay chain whose relay and far end joined by snapshot', () => {
  let temp: ReturnType<typeof tempDir>;
  let origin: TempDb;
  const slots: Slot[] = [];
  const files: Database.Database[] = [];
  beforeEach(() => {
    temp = tempDir('ess-ah4-joined-chain-');
    origin = tempDb(TEST_SCHEMA);
  });
  afterEach(async () => {
    for (const slot of slots.splice(0)) {
      await slot.node?.stop();
      await slot.server.close();
    }
    for (const db of files.splice(0)) db.close();
    origin.cleanup();
    temp.cleanup();
  });

  async function listen(): Promise<Slot> {
    const slot: { server?: TestServer; url?: string; node: SyncNode | undefined } = { node: undefined };
    const app = express().use('/api/sync', (req, res, next) => (slot.node === undefined ? next() : slot.node.router(req, res, next)));
    const server = await startServer(app);
    const made: Slot = Object.assign(slot, { server, url: `${server.url}/api/sync` }) as Slot;
    slots.push(made);
    return made;
  }

  function attach(slot: Slot, name: string, db: Database.Database, peers: readonly Slot[]): SyncNode {
    slot.node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: db, tables: TABLES, peers: peers.map((peer) => peer.url), stateDir: path.join(temp.dir, `state-${name}`) });
    return slot.node;
  }

  function open(file: string): Database.Database {
    const db = new Database(file);
    files.push(db);
    return db;
  }

  it('moves each change once per link, never what the snapshots carried, and converges', async () => {
    addTeams(origin.db, 300, 'a');
    const [a, b, c] = [await listen(), await listen(), await listen()];
    attach(a, 'a', origin.db, [b]);
    const bJoin = await joinFromPeer({ url: a.url, token: TEST_TOKEN, db: path.join(temp.dir, 'b', 'app.db') });
    const bDb = open(path.join(temp.dir, 'b', 'app.db'));
    attach(b, 'b', bDb, [a, c]);
    const cJoin = await joinFromPeer({ url: b.url, token: TEST_TOKEN, db: path.join(temp.dir, 'c', 'app.db') });
    const cDb = open(path.join(temp.dir, 'c', 'app.db'));
    attach(c, 'c', cDb, [b]);
    expect(cJoin.peerSite).toBe(bJoin.siteId);
    expect(new Set([bJoin.peerSite, bJoin.siteId, cJoin.siteId]).size).toBe(3);
    for (const db of [bDb, cDb]) expect(db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(300);

    // Both ends write: A adds 30 rows and changes 5 the snapshots carried; C adds 10 and deletes 3 of them.
    addTeams(origin.db, 30, 'a2');
    origin.db.prepare("UPDATE teams SET name = name || ' (renamed)' WHERE id IN (SELECT id FROM teams WHERE id LIKE 'a-%' ORDER BY id LIMIT 5)").run();
    addTeams(cDb, 10, 'c');
    cDb.prepare("DELETE FROM teams WHERE id IN (SELECT id FROM teams WHERE id LIKE 'a-%' ORDER BY id DESC LIMIT 3)").run();

    const names = new Map([[a.url, 'A'], [b.url, 'B'], [c.url, 'C']]);
    const moved = new Map<string, number>();
    const add = (link: string, rows: number): void => {
      if (rows > 0) moved.set(link, (moved.get(link) ?? 0) + rows);
    };
    for (let pass = 0; pass < 3; pass += 1) {
      for (const [self, slot] of [['A', a], ['B', b], ['C', c]] as const) {
        for (const result of await (slot.node as SyncNode).syncNow()) {
          expect(result).toMatchObject({ ok: true });
          const other = names.get(result.peer) ?? '?';
          add(`${other}>${self}`, result.rowsPulled);
          add(`${self}>${other}`, result.rowsPushed);
        }
      }
    }
    expect(Object.fromEntries(moved)).toEqual({ 'A>B': 35, 'B>C': 35, 'C>B': 13, 'B>A': 13 });
    const digests = [userDigest(origin.db), userDigest(bDb), userDigest(cDb)];
    expect(new Set(digests).size).toBe(1);
    expect(origin.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(300 + 30 + 10 - 3);
  });
});
