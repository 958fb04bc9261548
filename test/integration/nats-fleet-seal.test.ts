import { randomUUID } from 'node:crypto';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { FleetSeal } from '../../lib/peers/nats/fleet-seal';
import { tableRows, trackedDb, type TempDb } from '../helpers/data';
import { describeWithNats, startNatsServer, type NatsServer } from '../helpers/nats-server';
import type { ChangeTracker } from '../../lib/data/change-tracker';

type Node = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

const FLEET = 'the-fleet-sync-token-0001';
const OTHER = 'another-fleet-token-0002';

describe('FleetSeal', () => {
  it('seals with the first token and accepts a seal under any; nothing is checked without tokens', () => {
    const body = Buffer.from('{"page":1}');
    const rotated = new FleetSeal([FLEET, OTHER]);
    const seal = new FleetSeal([OTHER]).seal(body);
    expect(rotated.accepts(seal, body)).toBe(true);
    expect(new FleetSeal([FLEET]).accepts(seal, body)).toBe(false);
    expect(new FleetSeal([FLEET]).accepts(undefined, body)).toBe(false);
    expect(new FleetSeal([FLEET]).accepts(new FleetSeal([FLEET]).seal(Buffer.from('{"page":2}')), body)).toBe(false);
    expect(new FleetSeal([]).seal(body)).toBeUndefined();
    expect(new FleetSeal([]).accepts(undefined, body)).toBe(true);
  });
});

describeWithNats('NATS messages are sealed with the fleet’s sync token (real nats-server)', () => {
  let server: NatsServer;
  const nodes: Node[] = [];

  function node(tokens: readonly string[]): Node {
    const temp = trackedDb();
    const config = resolveNatsOptions({ servers: server.url, stream: 'SHARED' });
    const created: Node = { ...temp, transport: new NatsTransport(config, { data: temp.tracker, peerTimeoutMs: 10_000, tokens }) };
    nodes.push(created);
    return created;
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

  it('a server of another fleet on the same stream applies nothing and says why; the fleet’s own servers sync', async () => {
    const [a, b, stranger] = [node([FLEET]), node([FLEET]), node([OTHER])];
    a.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'from A');
    await a.transport.exchange();
    await b.transport.exchange();
    await stranger.transport.exchange();
    expect(tableRows(b.db, 'teams')).toEqual(tableRows(a.db, 'teams'));
    expect(tableRows(stranger.db, 'teams')).toEqual([]);
    const status = stranger.transport.status();
    expect(status.nats?.messagesRefused).toBe(1);
    expect(status.lastError?.code).toBe('WRONG_TOKEN');
    expect(status.lastError?.message).toMatch(/not sealed with this fleet's sync token.*own stream/);
  });
});
