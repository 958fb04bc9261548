import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DemoServer } from '../../sample-app/demo/cluster';
import { tableDigests } from './convergence';
import type { NatsServer } from './nats-server';

/** Resolves after `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Inserts `count` teams on a demo server in one transaction, named `<tag>.<row>` and `padding` after it. */
export function addTeams(server: DemoServer, count: number, tag: string, padding = ''): void {
  const insert = server.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
  server.db.transaction(() => {
    for (let row = 0; row < count; row += 1) insert.run(randomUUID(), row, `${tag}.${row}${padding}`);
  })();
}

/** How many teams a demo server holds. */
export function teamCount(server: DemoServer): number {
  return server.db.prepare('SELECT count(*) FROM teams').pluck().get() as number;
}

/**
 * Waits (background publishing and consuming only) until every server holds
 * `expected` teams and equal tables; throws after `timeoutMs`.
 */
export async function converged(servers: readonly DemoServer[], expected: number, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = servers.map(teamCount);
    const digests = servers.map((server) => JSON.stringify(tableDigests(server.db)));
    if (counts.every((count) => count === expected) && digests.every((digest) => digest === digests[0])) return;
    if (Date.now() > deadline) throw new Error(`not converged: teams ${counts.join(', ')} of ${expected}`);
    await pause(100);
  }
}

/** A stream's last sequence; 0 while no server made the stream yet (each makes it as its transport starts). */
export async function streamLastSeq(nats: NatsServer, stream: string): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.last_seq;
  } catch (error) {
    if (error instanceof Error && error.name === 'StreamNotFoundError') return 0;
    throw error;
  } finally {
    await nc.close();
  }
}
