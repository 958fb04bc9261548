import { randomUUID } from 'node:crypto';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { tableRows, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

const STREAM = 'RETOKEN';
const OLD = 'the-fleet-token-of-last-season';
const NEW = 'the-fleet-token-of-this-season';

describeWithNats('a server whose sync token was wrong while it read the stream, then fixed (real nats-server)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];

  function transportFor(tracker: ChangeTracker, tokens: readonly string[]): NatsTransport {
    return new NatsTransport(resolveNatsOptions({ servers: server.url, stream: STREAM }), { data: tracker, peerTimeoutMs: 5000, tokens });
  }

  function node(tokens: readonly string[]): Node {
    const temp = trackedDb();
    const created: Node = { ...temp, transport: transportFor(temp.tracker, tokens) };
    nodes.push(created);
    return created;
  }

  /** The server restarted with other tokens: the same database, a new transport. */
  async function restart(at: Node, tokens: readonly string[]): Promise<void> {
    await at.transport.close();
    at.transport = transportFor(at.tracker, tokens);
  }

  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    for (const each of nodes.splice(0)) {
      await each.transport.close();
      each.cleanup();
    }
    await server.close();
  });

  it('reads again the messages it refused as WRONG_TOKEN once it runs with other tokens: nothing the fleet published meanwhile is lost to it', async () => {
    const [a, b] = [node([OLD]), node([NEW])]; // B got the new season's token before the rest of the fleet
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'while B had another token', 1);
    await a.transport.exchange();
    await b.transport.exchange();
    expect(b.transport.status()).toMatchObject({ lastError: { code: 'WRONG_TOKEN' }, nats: { messagesRefused: 1 } });
    expect(tableRows(b.db, 'teams')).toEqual([]);

    await restart(b, [OLD]); // the operator puts the fleet's token back on B
    await b.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(b.db, 'teams')).toHaveLength(1);
    expect(b.transport.status()).toMatchObject({ lastError: null, nats: { messagesRefused: 0 } });
  });

  it('does not read the stream again when it restarts with the same tokens (junk stays passed over)', async () => {
    const [a, b] = [node([OLD]), node([NEW])];
    a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), 'refused by B', 1);
    await a.transport.exchange();
    await b.transport.exchange();
    const position = b.transport.status().position;
    await restart(b, [NEW]);
    await b.transport.exchange();
    expect(b.transport.status()).toMatchObject({ position, nats: { messagesRefused: 0 } });
    expect(tableRows(b.db, 'teams')).toEqual([]);
  });
});
