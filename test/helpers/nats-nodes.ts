import type { ChangeTracker } from '../../lib/data/change-tracker';
import { resolveNatsOptions } from '../../lib/peers/nats/nats-options';
import { NatsTransport, type NatsTransportParts } from '../../lib/peers/nats/nats-transport';
import { trackedDb, type TempDb } from './data';
import { startNatsServer, type NatsServer } from './nats-server';

/** A tracked temp database with a NATS transport on the test's nats-server. */
export type NatsNode = TempDb & { readonly tracker: ChangeTracker; transport: NatsTransport };

/** The stream options a node is made with (`servers` is the test's nats-server). */
export interface NatsNodeStream {
  readonly stream: string;
  readonly maxMessageBytes?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * Registers, in the calling `describe`, a fresh nats-server before each test
 * and the closing of it and of every node made during the test after it.
 * `node()` makes a tracked temp database with a transport on that server
 * (`peerTimeoutMs` 10 s unless given).
 */
export function natsNodes(): { server(): NatsServer; node(stream: NatsNodeStream, parts?: Partial<Omit<NatsTransportParts, 'data'>>): NatsNode } {
  let server: NatsServer | undefined;
  const nodes: NatsNode[] = [];
  beforeEach(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    try {
      for (const each of nodes.splice(0)) {
        try {
          await each.transport.close();
        } finally {
          each.cleanup();
        }
      }
    } finally {
      await server?.close(); // even when a transport failed to close: no nats-server left running
      server = undefined;
    }
  });
  const running = (): NatsServer => {
    if (server === undefined) throw new Error('natsNodes: no nats-server outside a test');
    return server;
  };
  return {
    server: running,
    node(stream, parts = {}) {
      const temp = trackedDb();
      const config = resolveNatsOptions({ servers: running().url, ...stream });
      const created: NatsNode = { ...temp, transport: new NatsTransport(config, { peerTimeoutMs: 10_000, ...parts, data: temp.tracker }) };
      nodes.push(created);
      return created;
    },
  };
}
