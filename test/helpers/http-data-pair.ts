import request from 'supertest';
import type { SyncRouterOptions } from '../../node/options';
import { tempDb, type TempDb } from './data';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from './server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

/** A database behind its sync router, served on 127.0.0.1. */
export interface HttpDataPeer {
  readonly temp: TempDb;
  readonly server: TestServer;
}

/** Two of them, A and B, and their closing. */
export interface HttpDataPair {
  readonly a: HttpDataPeer;
  readonly b: HttpDataPeer;
  /** Closes both servers and removes both databases. */
  close(): Promise<void>;
}

async function startPeer(schema: string, options: Omit<SyncRouterOptions, 'database'>): Promise<HttpDataPeer> {
  const temp = tempDb(schema);
  return { temp, server: await startServer(makeApp({ ...options, database: temp.db })) };
}

/** Starts two servers on fresh databases made by `schema`, with the same router options (`tables` among them). */
export async function startHttpDataPair(schema: string, options: Omit<SyncRouterOptions, 'database'>): Promise<HttpDataPair> {
  const a = await startPeer(schema, options);
  const b = await startPeer(schema, options);
  return {
    a,
    b,
    async close() {
      for (const side of [a, b]) {
        await side.server.close();
        side.temp.cleanup();
      }
    },
  };
}

/**
 * Pulls every page `from` serves after `since` and pushes each to `to`, as
 * a peer would over HTTP (each answer must be 200); answers the last `next`.
 * @param limit - rows per page (the server's default when not given)
 */
export async function pullOverHttp(from: HttpDataPeer, to: HttpDataPeer, since = 0, limit?: number): Promise<number> {
  let cursor = since;
  for (;;) {
    const query = limit === undefined ? `since=${cursor}` : `since=${cursor}&limit=${limit}`;
    const page = await request(from.server.url).get(`/api/sync/data/changes?${query}`).set(AUTH).expect(200);
    await request(to.server.url).post('/api/sync/data/changes').set(AUTH).send(page.body as object).expect(200);
    cursor = page.body.next as number;
    if (page.body.more !== true) return cursor;
  }
}
