import { randomUUID } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../../index';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { addTeams, converged, pause, streamLastSeq } from '../helpers/nats-demo-teams';

const STREAM = 'AC1_BEHIND';
const NATS_NAME = `nats:${STREAM}`;
const APPLIED = `nats:${STREAM}:applied`;
const LOCK = "CREATE TRIGGER ac1_locked BEFORE INSERT ON teams WHEN new.name = 'locked' BEGIN SELECT RAISE(ABORT, 'locked'); END";

/** Writes `batches` transactions of 2 teams on `server`, each waited for as its own stream message; returns the rows written. */
async function publishBatches(nats: NatsServer, server: DemoServer, batches: number, tag: string): Promise<number> {
  for (let batch = 0; batch < batches; batch += 1) {
    const before = await streamLastSeq(nats, STREAM);
    addTeams(server, 2, `${tag} ${batch}`);
    while ((await streamLastSeq(nats, STREAM)) === before) await pause(20);
  }
  return batches * 2;
}

/** Writes one team at a time on `server` until the stream passes `seq`; returns the rows written. */
async function refillPast(nats: NatsServer, server: DemoServer, seq: number): Promise<number> {
  let written = 0;
  for (const deadline = Date.now() + 30_000; (await streamLastSeq(nats, STREAM)) <= seq; written += 1) {
    if (Date.now() > deadline) throw new Error(`the stream did not pass ${seq}`);
    addTeams(server, 1, `refill ${written}`);
    await pause(30);
  }
  return written;
}

/** Runs `sql` on a stopped server's database. */
function onStopped(dir: string, name: string, sql: string): void {
  const db = new Database(path.join(dir, name, 'instance', 'app.db'));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/**
 * The nats-server store put back from an older copy while a server is off,
 * and filled again by the others past the sequences that server's pages
 * had: its pages are gone, the sequences hold other messages. Before, a
 * server whose applied position lay in the part the copy kept noticed
 * nothing: it did not publish its lost pages again (the others never got
 * them, every round ok), and while it held a sender, it passed over the
 * messages now at the sequences it had read past.
 */
describeWithNats('ac1: the NATS store put back from an older copy, refilled past a server that was behind', () => {
  let nats: NatsServer;
  let temp: ReturnType<typeof tempDir>;
  const clusters = new Map<string, DemoCluster>();
  const start = async (name: string): Promise<DemoServer> => {
    const cluster = await startDemoCluster([name], temp.dir, TEST_TOKEN, () => [], { transport: { nats: { servers: nats.url, stream: STREAM, requestTimeoutMs: 2000 } }, loggerFor: () => silentLogger });
    clusters.set(name, cluster);
    const server = cluster.servers[0] as DemoServer;
    server.sync.start(60_000);
    return server;
  };
  const stop = async (name: string): Promise<void> => {
    await clusters.get(name)?.close();
    clusters.delete(name);
  };
  const running = (name: string): DemoServer => clusters.get(name)?.servers[0] as DemoServer;
  const backup = (): string => path.join(temp.dir, 'nats-backup');
  const copyStore = async (): Promise<void> => {
    await nats.stop();
    cpSync(nats.store, backup(), { recursive: true });
    await nats.restart();
  };
  const putStoreBack = async (): Promise<void> => {
    await nats.stop();
    rmSync(nats.store, { recursive: true, force: true });
    cpSync(backup(), nats.store, { recursive: true });
    await nats.restart();
  };
  /** Starts the servers, each writing two teams, until all hold them; returns the rows written. */
  const startAll = async (names: readonly string[]): Promise<number> => {
    const servers = [];
    for (const name of names) servers.push(await start(name));
    for (const server of servers) addTeams(server, 2, `first ${server.name}`);
    await converged(servers, names.length * 2);
    return names.length * 2;
  };
  /** `holder` refuses `sender`'s next page (an app trigger RAISEs in merges): it holds that sender; returns the row written. */
  const hold = async (holder: DemoServer, sender: DemoServer): Promise<number> => {
    holder.db.exec(LOCK);
    sender.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run(randomUUID(), 99, 'locked');
    const deadline = Date.now() + 20_000;
    while ((holder.sync.client?.transportStatuses().find((t) => t.kind === 'nats')?.nats?.held ?? []).length === 0) {
      if (Date.now() > deadline) throw new Error('the sender was not held');
      await pause(50);
    }
    return 1;
  };
  /** Every NATS round ok, then every server holds `expected` teams and the same tables. */
  const allConverge = async (names: readonly string[], expected: number): Promise<void> => {
    const servers = names.map(running);
    const results = await Promise.all(servers.map((server) => server.sync.client?.syncPeer(NATS_NAME)));
    expect(results.map((result) => result?.error?.code ?? null)).toEqual(servers.map(() => null));
    await converged(servers, expected);
    for (const server of servers) expect(server.db.pragma('integrity_check', { simple: true })).toBe('ok');
  };

  beforeEach(async () => {
    nats = await startNatsServer();
    temp = tempDir('ac1-nats-behind-');
  });
  afterEach(async () => {
    for (const name of [...clusters.keys()]) await stop(name);
    await nats.close();
    temp.cleanup();
  });

  it('a server holding a sender publishes its lost pages again (its applied position stayed below them)', async () => {
    let written = await startAll(['ac1-a', 'ac1-b', 'ac1-c']);
    written += await hold(running('ac1-c'), running('ac1-a'));
    await copyStore();
    await stop('ac1-b');
    written += await publishBatches(nats, running('ac1-c'), 4, 'later c');
    await converged([running('ac1-a')], written);
    const cEnd = await streamLastSeq(nats, STREAM);
    await pause(500); // C reads its own pages
    await stop('ac1-c');
    await putStoreBack();
    written += await refillPast(nats, running('ac1-a'), cEnd + 2);
    onStopped(temp.dir, 'ac1-c', 'DROP TRIGGER ac1_locked');
    await start('ac1-b');
    await start('ac1-c');
    await allConverge(['ac1-a', 'ac1-b', 'ac1-c'], written);
  });

  it('a server holding a sender reads the messages now at the sequences it had read past', async () => {
    let written = await startAll(['ac1-a', 'ac1-c', 'ac1-d']);
    written += await hold(running('ac1-c'), running('ac1-a'));
    await copyStore();
    written += await publishBatches(nats, running('ac1-d'), 4, 'later d');
    const dEnd = await streamLastSeq(nats, STREAM);
    await pause(1000); // C applies D's pages: how far it read past A's held page moves on
    await stop('ac1-c');
    await putStoreBack();
    written += await refillPast(nats, running('ac1-d'), dEnd + 2);
    onStopped(temp.dir, 'ac1-c', 'DROP TRIGGER ac1_locked');
    await start('ac1-c');
    await allConverge(['ac1-a', 'ac1-c', 'ac1-d'], written);
  });

  it('a server stopped before its consumer passed its own last pages publishes them again', async () => {
    let written = await startAll(['ac1-a', 'ac1-b', 'ac1-c']);
    await copyStore();
    const backupEnd = await streamLastSeq(nats, STREAM);
    const readC = (): string | undefined => running('ac1-c').db.prepare('SELECT value FROM _sync_transport_cursors WHERE name = ?').pluck().get(APPLIED) as string | undefined;
    for (const deadline = Date.now() + 20_000; !(readC() ?? '').startsWith(`${backupEnd} `) && Date.now() < deadline; ) await pause(50);
    const atCopy = readC() ?? '';
    expect(atCopy.startsWith(`${backupEnd} `)).toBe(true);
    await stop('ac1-b');
    written += await publishBatches(nats, running('ac1-c'), 6, 'later c');
    await converged([running('ac1-a'), running('ac1-c')], written);
    const cEnd = await streamLastSeq(nats, STREAM);
    await stop('ac1-c');
    // The state a stop right after a flush leaves: C's applied position saved before its own last pages.
    onStopped(temp.dir, 'ac1-c', `UPDATE _sync_transport_cursors SET value = '${atCopy}' WHERE name = '${APPLIED}'`);
    await putStoreBack();
    written += await refillPast(nats, running('ac1-a'), cEnd + 2);
    await start('ac1-b');
    await start('ac1-c');
    await allConverge(['ac1-a', 'ac1-b', 'ac1-c'], written);
  });
});
