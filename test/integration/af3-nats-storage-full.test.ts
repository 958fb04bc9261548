import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { tableRows, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { ChangeTracker } from '../../lib/data/change-tracker';

type Node = TempDb & { readonly tracker: ChangeTracker; readonly transport: NatsTransport };

const STREAM = 'FLEET';
/** A row's text: four of them fill a 1 MB store. */
const PADDING = 'x'.repeat(300_000);

/** The ways an operator leaves JetStream's storage too small: the server's, and an account's. */
const LIMITS = [
  {
    what: "the server's max_file_store",
    config: (limit: string) => `listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}", max_file_store: ${limit} }\n`,
    url: (port: number) => `nats://127.0.0.1:${port}`,
    message: /NATS server at nats:\/\/127\.0\.0\.1:\d+ has no JetStream storage left.*insufficient resources.*max_file_store/,
  },
  {
    what: "an account's max_file",
    config: (limit: string) => `listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\naccounts { FLEETS: { jetstream: { max_file: ${limit}, max_mem: 1MB }, users: [ { user: fleet, password: fleet-secret } ] } }\n`,
    url: (port: number) => `nats://fleet:fleet-secret@127.0.0.1:${port}`,
    message: /NATS account this server connects as.*has used up its JetStream storage.*resource limits exceeded for account.*max_file/,
  },
  {
    what: 'an account without file storage (the stream cannot be made)',
    config: () => `listen: 127.0.0.1:{PORT}\njetstream { store_dir: "{STORE}" }\naccounts { FLEETS: { jetstream: { max_file: 0, max_mem: 1MB }, users: [ { user: fleet, password: fleet-secret } ] } }\n`,
    url: (port: number) => `nats://fleet:fleet-secret@127.0.0.1:${port}`,
    message: /NATS server at nats:\/\/127\.0\.0\.1:\d+ has no JetStream storage left for stream FLEET \(insufficient storage resources available: .*max_file_store.*max_file.*account/,
  },
];

async function failureOf(promise: Promise<unknown>): Promise<(Error & { code?: string }) | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );
}

/**
 * A nats-server whose JetStream storage is too small for the fleet's stream: a publish is refused with
 * "insufficient resources" (the server's max_file_store, or its disk) or "resource limits exceeded for
 * account" (the account's max_file). Every round and /status said only NATS_ERROR 'NATS answered with an
 * error (…): insufficient resources', naming neither the limit nor the fix.
 */
describeWithNats('af3: a NATS server whose JetStream storage is full (real nats-server)', () => {
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

  function node(url: string): Node {
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: url, stream: STREAM, requestTimeoutMs: 3000 });
    const created: Node = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 10_000 }) };
    nodes.push(created);
    return created;
  }

  /** Fills `a`'s JetStream storage: its round fails, and says why and how to fix it. */
  async function fill(a: Node, message: RegExp): Promise<void> {
    for (let row = 0; row < 5; row += 1) a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), `${row} ${PADDING}`, row);
    const failure = await failureOf(a.transport.exchange());
    expect({ code: failure?.code, message: failure?.message }).toMatchObject({ code: 'NATS_STORAGE_FULL', message: expect.stringMatching(message) });
    expect(a.transport.status()).toMatchObject({ state: 'failing', lastError: { code: 'NATS_STORAGE_FULL', message: failure?.message } });
    expect(a.transport.status().nats?.unpublished).toBeGreaterThan(0);
  }

  it.each(LIMITS)('af3-nats-storage-full ($what): NATS_STORAGE_FULL naming the limit and the fix, not a bare NATS_ERROR', async ({ config, url, message }) => {
    server = await startNatsServer(config('1MB'));
    await fill(node(url(server.port)), message);
  }, 60_000);

  it("af3-nats-storage-full: once the server's limit is raised (and it is restarted), every row gets through", async () => {
    const serverLimit = LIMITS[0];
    if (serverLimit === undefined) throw new Error('no limit to test');
    const { config, url, message } = serverLimit;
    server = await startNatsServer(config('1MB'));
    const [a, b] = [node(url(server.port)), node(url(server.port))];
    await fill(a, message);
    const file = path.join(path.dirname(server.store), 'nats.conf');
    writeFileSync(file, readFileSync(file, 'utf8').replace('max_file_store: 1MB', 'max_file_store: 64MB'));
    await server.stop();
    await server.restart();
    await expect(a.transport.exchange()).resolves.toBeDefined();
    expect(a.transport.status()).toMatchObject({ lastError: null, nats: { unpublished: 0 } });
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toHaveLength(5);
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
  }, 60_000);
});
