import { randomUUID } from 'node:crypto';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport } from '../../lib/peers/nats/nats-transport';
import { tableRows } from '../helpers/data';
import { captureLog } from '../helpers/log';
import { natsNodes, type NatsNode } from '../helpers/nats-nodes';
import { describeWithNats } from '../helpers/nats-server';

const STREAM = 'RESEAL';
const FLEET = 'the-fleet-token-of-this-season';
const WRONG = 'a-token-typed-wrong-on-one-laptop';

function insert(node: NatsNode, name: string, number: number): void {
  node.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), name, number);
}

describeWithNats('a server that ran with a wrong sync token publishes its changes again once the token is fixed (real nats-server)', () => {
  const nats = natsNodes();
  /** The server restarted with other tokens: the same database, a new transport. */
  async function restart(at: NatsNode, tokens: readonly string[], logger = captureLog().logger): Promise<void> {
    await at.transport.close();
    at.transport = new NatsTransport(resolveNatsOptions({ servers: nats.server().url, stream: STREAM }), { data: at.tracker, peerTimeoutMs: 10_000, tokens, logger });
  }

  it('its rows, refused by the fleet as WRONG_TOKEN, reach the NATS-only servers after the fix, and every server converges', async () => {
    const [a, c] = [nats.node({ stream: STREAM }, { tokens: [FLEET] }), nats.node({ stream: STREAM }, { tokens: [FLEET] })];
    const b = nats.node({ stream: STREAM }, { tokens: [WRONG] });
    insert(b, 'written while B had a wrong token', 1);
    insert(b, 'also while B had a wrong token', 2);
    await b.transport.exchange();
    insert(a, 'written by A meanwhile', 3);
    await a.transport.exchange().catch(() => undefined);
    await c.transport.exchange().catch(() => undefined);
    expect(a.transport.status()).toMatchObject({ nats: { messagesRefused: 1 } });
    expect(tableRows(c.db, 'teams')).toHaveLength(1); // A's only

    const log = captureLog();
    await restart(b, [FLEET], log.logger); // the operator fixes B's token
    await b.transport.exchange();
    await a.transport.exchange();
    await c.transport.exchange();
    for (const node of [a, b, c]) expect(tableRows(node.db, 'teams')).toHaveLength(3);
    expect(tableRows(a.db, 'teams')).toEqual(tableRows(b.db, 'teams'));
    expect(tableRows(c.db, 'teams')).toEqual(tableRows(b.db, 'teams'));
    expect(log.events('nats.resealed')).toEqual([expect.objectContaining({ transport: `nats:${STREAM}`, from: 0 })]);

    // Its later writes go out once, sealed with the fleet's token.
    insert(b, 'after the fix', 4);
    await b.transport.exchange();
    await c.transport.exchange();
    expect(tableRows(c.db, 'teams')).toHaveLength(4);
    expect(c.transport.status()).toMatchObject({ nats: { messagesRefused: 1 } }); // the first refusal only, counted since start
  });

  it('a rotation that keeps the old token in the list publishes nothing again', async () => {
    const [a, b] = [nats.node({ stream: STREAM }, { tokens: [FLEET] }), nats.node({ stream: STREAM }, { tokens: [FLEET] })];
    insert(b, 'sealed with the old token', 1);
    await b.transport.exchange();
    await a.transport.exchange();
    const log = captureLog();
    await restart(b, ['the-token-of-next-season-rotated-in', FLEET], log.logger);
    await b.transport.exchange();
    expect(b.transport.status()).toMatchObject({ lastError: null, nats: { messagesPublished: 0, unpublished: 0 } });
    expect(log.events('nats.resealed')).toEqual([]);
  });
});
