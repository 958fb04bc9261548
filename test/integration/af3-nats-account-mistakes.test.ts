import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; readonly transport: NatsTransport };

/** A round's failure (undefined when it succeeded). */
async function failureOf(node: Node): Promise<{ code: unknown; message: string } | undefined> {
  return node.transport.exchange().then(
    () => undefined,
    (error: unknown) => ({ code: (error as { code?: unknown }).code, message: (error as Error).message }),
  );
}

/**
 * Mistakes in the NATS account a fleet connects as: an account that may hold one stream, shared by two fleets
 * ("maximum number of streams reached" when the second makes its own), and an account without JetStream on a
 * server that runs it ("JetStream not enabled for account"). Both were a bare NATS_ERROR 'NATS answered with
 * an error (…)', naming neither the account's limit nor what to change in nats-server's configuration.
 */
describeWithNats('af3: NATS account mistakes (real nats-server)', () => {
  let server: NatsServer | undefined;
  const nodes: Node[] = [];
  afterEach(async () => {
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server?.close();
    server = undefined;
  });

  function node(stream: string): Node {
    if (server === undefined) throw new Error('no nats-server');
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: `nats://fleet:fleet-secret@127.0.0.1:${server.port}`, stream, requestTimeoutMs: 3000 });
    const created: Node = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    created.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'a team', 1);
    nodes.push(created);
    return created;
  }

  it('af3-nats-account-mistakes: a second fleet on an account whose max_streams is 1: NATS_STREAM naming the limit and the fix', async () => {
    server = await startNatsServer('listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\naccounts { FLEETS: { jetstream: { max_streams: 1 }, users: [ { user: fleet, password: fleet-secret } ] } }\n');
    expect(await failureOf(node('FIRST'))).toBeUndefined();
    const second = node('SECOND');
    const failure = await failureOf(second);
    expect(failure).toMatchObject({ code: 'NATS_STREAM', message: expect.stringMatching(/stream SECOND cannot be made: the NATS account .*max_streams.*maximum number of streams reached.*nats-server --signal reload.*nats stream rm/) });
    expect(second.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STREAM', message: failure?.message } });
  });

  it('af3-nats-account-mistakes: an account without JetStream on a server that runs it: says to enable it for that account, not to start nats-server with -js', async () => {
    server = await startNatsServer('listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\naccounts { FLEETS: { users: [ { user: fleet, password: fleet-secret } ] } }\n');
    const only = node('FLEET');
    const failure = await failureOf(only);
    expect(failure).toMatchObject({ code: 'NATS_ERROR', message: expect.stringMatching(/runs JetStream, but not for the account this server connects as \(JetStream not enabled for account\): add `jetstream: enabled`/) });
    expect(failure?.message).not.toMatch(/-js/);
    expect(only.transport.status()).toMatchObject({ lastError: { code: 'NATS_ERROR', message: failure?.message } });
  });
});
