import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** JetStream's manager, as the nats CLI uses it. */
export type StreamManager = Awaited<ReturnType<typeof jetstreamManager>>;

/** What an operator does with the nats CLI (`nats stream add`, `edit`, `rm`), on the NATS server at `url`, over a connection of its own. */
export async function asNatsOperator<T>(url: string, change: (jsm: StreamManager) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url });
  try {
    return await change(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}
