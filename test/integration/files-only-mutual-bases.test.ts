import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '../../lib/logger';
import { createSyncNode, type SyncNode } from '../../node/create-sync-node';
import { TEST_SCHEMA, tempDb, type TempDb } from '../helpers/data';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { TABLES } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

/**
 * A data server and a server that syncs files only (no `database`) that list each other. Both
 * sides' rounds move files, each with its own base: the data server's rounds report the
 * handshake's 404 `DATA_OFF` for the data and sync the files all the same. Without an identity
 * for the files-only server (no `POST /files/settled` from it, none recorded by it), the data
 * server's base would miss what the files-only server's rounds moved, and a file deleted on the
 * files-only server would come back from the data server's next round (as it did while 6e5e0f3
 * let the data server's rounds sync files with such a peer); its identity (`GET /files/info`)
 * and the settlements both ways keep the two bases together.
 */
describe('a data server and a files-only server that list each other', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: TempDb;
  let servers: TestServer[];
  let nodes: SyncNode[];
  let here: string;
  let there: string;
  beforeEach(async () => {
    temp = tempDir('ess-mutual-files-only-');
    [here, there] = [path.join(temp.dir, 'here'), path.join(temp.dir, 'there')];
    mkdirSync(here);
    mkdirSync(there);
    const apps = [express(), express()];
    servers = [await startServer(apps[0] as express.Express), await startServer(apps[1] as express.Express)];
    data = tempDb(TEST_SCHEMA);
    const [urlHere, urlThere] = servers.map((server) => `${server.url}/api/sync`);
    nodes = [
      createSyncNode({ token: TEST_TOKEN, logger: silentLogger, database: data.db, tables: TABLES, roots: { config: here }, peers: [urlThere ?? ''], stateDir: path.join(temp.dir, 'state-here') }),
      createSyncNode({ token: TEST_TOKEN, logger: silentLogger, roots: { config: there }, peers: [urlHere ?? ''], stateDir: path.join(temp.dir, 'state-there') }),
    ];
    nodes.forEach((node, index) => apps[index]?.use('/api/sync', node.router));
  });
  afterEach(async () => {
    for (const node of nodes) await node.stop();
    for (const server of servers) await server.close();
    data.cleanup();
    temp.cleanup();
  });

  it('a file deleted on the files-only server, after its own round sent it over, stays deleted', async () => {
    const [nodeHere, nodeThere] = nodes as [SyncNode, SyncNode];
    await nodeHere.syncNow();
    await nodeThere.syncNow();
    // Four files, so that deleting one is under the mass-delete guard's 50 %.
    for (const name of ['a', 'b', 'c', 'z']) writeFileSync(path.join(there, `${name}.json`), `{"${name}":1}`);
    await nodeThere.syncNow();
    expect(existsSync(path.join(here, 'z.json'))).toBe(true);
    rmSync(path.join(there, 'z.json'));
    await nodeHere.syncNow();
    await nodeThere.syncNow();
    await nodeHere.syncNow();
    const kept = ['a.json', 'b.json', 'c.json'];
    expect([readdirSync(here).sort(), readdirSync(there).sort()]).toEqual([kept, kept]);
  });
});
