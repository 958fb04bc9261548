import { freePort } from './nats-server';

/**
 * A port of 127.0.0.1 where nothing listens, so a connection to it is
 * refused (ECONNREFUSED). It is taken below the ephemeral range
 * ({@link freePort}): a port just freed by a `listen(0)` server could be
 * handed to any other test's `listen(0)` meanwhile, which then answered in
 * the dead peer's place.
 */
export async function deadPort(): Promise<number> {
  return freePort();
}

/** The sync API URL of a peer that is down: `http://127.0.0.1:<deadPort>/api/sync`. */
export async function deadSyncUrl(): Promise<string> {
  return `http://127.0.0.1:${await deadPort()}/api/sync`;
}
