import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../index';
import { startDemoCluster, type DemoCluster, type DemoServer } from '../../sample-app/demo/cluster';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';
import { addTeams, converged, pause, streamLastSeq } from '../helpers/nats-demo-teams';

const STREAM = 'RESTORED';
const NATS_NAME = `nats:${STREAM}`;

function appliedSeq(server: DemoServer): number {
  return server.sync.client?.transportStatuses().find((transport) => transport.kind === 'nats')?.nats?.appliedSeq ?? -1;
}

/**
 * The stream's store put back from an older copy (nats-server stopped, its
 * folder restored from a backup) while one server is off, then filled again
 * by the others past the sequence that server had applied: the sequences it
 * applied now hold other messages. Before, it read on from its saved
 * sequence and never saw the messages that reused the ones it had passed.
 */
describeWithNats('the NATS store restored from an older copy while a server is off', () => {
  let nats: NatsServer;
  let temp: ReturnType<typeof tempDir>;
  let pair: DemoCluster;
  let third: DemoCluster | undefined;
  const transport = (): { nats: { servers: string; stream: string; requestTimeoutMs: number } } => ({ nats: { servers: nats.url, stream: STREAM, requestTimeoutMs: 2000 } });
  const startThird = async (): Promise<DemoServer> => {
    third = await startDemoCluster(['server-c'], temp.dir, TEST_TOKEN, () => [], { transport: transport(), loggerFor: () => silentLogger });
    const server = third.servers[0] as DemoServer;
    server.sync.start(60_000);
    return server;
  };

  beforeEach(async () => {
    nats = await startNatsServer();
    temp = tempDir('ess-nats-restored-');
    pair = await startDemoCluster(['server-a', 'server-b'], temp.dir, TEST_TOKEN, () => [], { transport: transport() });
  });
  afterEach(async () => {
    await third?.close();
    third = undefined;
    await pair.close();
    await nats.close();
    temp.cleanup();
  });

  it.each([
    ['past the sequence it had applied', 'past'],
    ['only part of the way back to it', 'partly'],
  ] as const)('filled again %s: noticed by that server when it comes back; it reads the stream again, and every server converges', async (_how, refill) => {
    const [a, b] = pair.servers as [DemoServer, DemoServer];
    for (const server of pair.servers) server.sync.start(60_000);
    let c = await startThird();
    let written = 0;
    for (const server of [a, b, c]) {
      addTeams(server, 3, `first ${server.name}`);
      written += 3;
    }
    await converged([a, b, c], written);

    // A backup of the store, taken with nats-server stopped.
    const backup = path.join(temp.dir, 'nats-backup');
    await nats.stop();
    cpSync(nats.store, backup, { recursive: true });
    await nats.restart();
    const backupEnd = await streamLastSeq(nats, STREAM);

    // C writes a lot after the backup, so the sequences it applies run far past the backup's end.
    for (let batch = 0; batch < 12; batch += 1) {
      const before = await streamLastSeq(nats, STREAM);
      addTeams(c, 2, `later c ${batch}`);
      written += 2;
      while ((await streamLastSeq(nats, STREAM)) === before) await pause(20); // one message each
    }
    await converged([a, b, c], written);
    const passed = appliedSeq(c);
    expect(passed).toBeGreaterThan(12);
    await third?.close();
    third = undefined;

    // The store is put back; A and B go on and fill it again past what C applied.
    await nats.stop();
    rmSync(nats.store, { recursive: true, force: true });
    cpSync(backup, nats.store, { recursive: true });
    await nats.restart();
    const target = refill === 'past' ? passed + 4 : backupEnd + 3; // partly: the stream ends before C's position, holding new messages
    const refillDeadline = Date.now() + 60_000; // a time bound, not a count of writes: a loaded machine publishes more of them in one message
    for (let batch = 0; (await streamLastSeq(nats, STREAM)) <= target; batch += 1) {
      if (Date.now() > refillDeadline) throw new Error(`the stream did not pass ${target} in 60 s (${batch} writes)`);
      addTeams(batch % 2 === 0 ? a : b, 1, `refill ${batch}`);
      written += 1;
      await pause(30);
    }
    await converged([a, b], written);
    if (refill === 'partly') expect(await streamLastSeq(nats, STREAM)).toBeLessThan(passed);

    c = await startThird();
    await converged([a, b, c], written);
    for (const server of [a, b, c]) expect(server.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const status = c.sync.client?.transportStatuses().find((entry) => entry.name === NATS_NAME);
    expect(status).toMatchObject({ state: 'connected' });
  });
});
