import express from 'express';
import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import type { ContentCoding } from '../../lib/content-coding';
import { PeerHttp } from '../../lib/peers/peer-http';
import { HttpTransport } from '../../lib/peers/transport-http';
import { SyncError } from '../../lib/sync-error';
import { tempDb, type TempDb } from '../helpers/data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';

const SCHEMA = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)';
/** What this test's puller reads of one answer at most (its `maxPeerAnswerBytes`), instead of 64 MiB. */
const MAX_ANSWER = 100 * 1024;
/** Rows of the pull's first page; later pages ask for five times as many (`PAGE_GROWTH`). */
const PAGE_SIZE = 10;

/** A peer with the sync router, which notes the `limit` of every `GET /data/changes` it answers. */
interface Peer {
  readonly db: TempDb;
  readonly server: TestServer;
  readonly limits: string[];
  add(id: string, bytes: number): void;
}

async function startPeer(): Promise<Peer> {
  const db = tempDb(SCHEMA);
  const limits: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    if (req.method === 'GET' && req.path.endsWith('/data/changes')) limits.push(String(req.query.limit));
    next();
  });
  app.use(makeApp({ database: db.db, tables: ['notes'] }));
  const server = await startServer(app);
  // Bodies of one repeated letter: gzip makes them small on the wire, so a gzip link meets the limit inflating, a plain one reading.
  const insert = db.db.prepare('INSERT INTO notes (id, body) VALUES (?, ?)');
  return { db, server, limits, add: (id, bytes) => insert.run(id, 'x'.repeat(bytes)) };
}

async function refusal(round: Promise<unknown>): Promise<SyncError> {
  const error = await round.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof SyncError) return error;
  throw new Error(`the round ended with ${String(error)}`);
}

describe.each<ContentCoding>(['identity', 'gzip'])('a pull whose pages are larger than the puller reads (%s)', (coding) => {
  let peer: Peer;
  let ours: TempDb;
  let tracker: ChangeTracker;
  let link: PeerHttp;
  let transport: HttpTransport;

  beforeEach(async () => {
    peer = await startPeer();
    ours = tempDb(SCHEMA);
    tracker = enableCapture(ours.db, { tables: ['notes'] });
    link = new PeerHttp({ url: `${peer.server.url}/api/sync`, token: TEST_TOKEN }, { maxPeerAnswerBytes: MAX_ANSWER, peerCompression: coding });
    transport = new HttpTransport(link, tracker, PAGE_SIZE);
  });

  afterEach(async () => {
    await transport.close();
    await peer.server.close();
    ours.cleanup();
    peer.db.cleanup();
  });

  const ids = (): string[] => ours.db.prepare('SELECT id FROM notes ORDER BY id').pluck().all() as string[];

  it('asks for smaller pages until they fit, then for the usual size again, and every row arrives', async () => {
    const expected: string[] = [];
    const add = (id: string, bytes: number): void => {
      peer.add(id, bytes);
      expected.push(id);
    };
    for (let i = 0; i < 20; i += 1) add(`a${String(i).padStart(3, '0')}`, 100);
    for (let i = 0; i < 4; i += 1) add(`b${i}`, 30 * 1024); // four of them: more than MAX_ANSWER together
    for (let i = 0; i < 300; i += 1) add(`c${String(i).padStart(3, '0')}`, 100);

    const count = await transport.exchange();
    expect(count.rowsIn).toBe(324);
    expect(ids()).toEqual(expected.sort());
    const asked = peer.limits.map(Number);
    const smallest = Math.min(...asked);
    expect(smallest).toBeLessThan(PAGE_SIZE);
    // Back to the usual size after the large rows: no tiny pages for the 300 small rows.
    expect(asked.slice(asked.lastIndexOf(smallest)).filter((limit) => limit === 5 * PAGE_SIZE).length).toBeGreaterThanOrEqual(5);
    expect(asked.length).toBeLessThan(20);
  });

  it('stops at a single row larger than it reads with ROW_TOO_LARGE, keeps the rows before it, asks for that row alone the next round, and goes on once it is smaller', async () => {
    for (let i = 0; i < 5; i += 1) peer.add(`a${i}`, 100);
    peer.add('big', 150 * 1024);
    for (let i = 0; i < 5; i += 1) peer.add(`c${i}`, 100);

    const first = await refusal(transport.exchange());
    expect(first).toMatchObject({ code: 'ROW_TOO_LARGE', status: 413 });
    expect(first.message).toContain(peer.server.url);
    expect(first.message).toMatch(/after seq 5 .*single row/);
    // Both ways an answer is too large (read on the wire, inflated) are told apart from other bad answers.
    expect(first.message).toContain(coding === 'gzip' ? `it inflates to more than ${MAX_ANSWER} bytes` : `the answer is larger than ${MAX_ANSWER} bytes`);
    expect(ids()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(peer.limits.at(-1)).toBe('1');

    peer.limits.length = 0;
    expect(await refusal(transport.exchange())).toMatchObject({ code: 'ROW_TOO_LARGE' });
    expect(peer.limits).toEqual(['1']); // straight to the row alone, not halving down from the usual size again

    peer.db.db.prepare("UPDATE notes SET body = 'small now' WHERE id = 'big'").run();
    peer.limits.length = 0;
    expect((await transport.exchange()).rowsIn).toBeGreaterThanOrEqual(6);
    expect(ids()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'big', 'c0', 'c1', 'c2', 'c3', 'c4']);
    expect(peer.limits[0]).toBe('1');

    peer.add('d0', 100);
    peer.limits.length = 0;
    await transport.exchange();
    expect(ids()).toContain('d0');
    expect(ours.db.prepare("SELECT body FROM notes WHERE id = 'big'").pluck().get()).toBe('small now');
    expect(peer.limits[0]).toBe(String(PAGE_SIZE)); // the usual size again
  });
});
