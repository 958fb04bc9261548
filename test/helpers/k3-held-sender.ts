import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { natsNodes, type NatsNode } from './nats-nodes';
import type { NatsServer } from './nats-server';

/**
 * An app trigger, made on a reader, that refuses every team named 'locked',
 * also while a sync merge applies it: a sender's message carrying one must
 * wait (APPLY_REFUSED), so that sender is held.
 */
export const LOCK_TRIGGER = "CREATE TRIGGER no_locked BEFORE INSERT ON teams WHEN new.name = 'locked' BEGIN SELECT RAISE(ABORT, 'locked teams are read-only'); END";

/** The fix of {@link LOCK_TRIGGER}: the same trigger, skipping merges, so the held messages are applied. */
export const UNLOCK_TRIGGER =
  "DROP TRIGGER no_locked; CREATE TRIGGER no_locked BEFORE INSERT ON teams WHEN new.name = 'locked' AND (SELECT applying FROM _sync_state) = 0 BEGIN SELECT RAISE(ABORT, 'locked teams are read-only'); END";

/** Writes a team (a new id) to `at`'s database, as the app would. */
export function insertTeam(at: { readonly db: Database.Database }, name: string, number: number): void {
  at.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(randomUUID(), name, number);
}

/** The team names in `at`'s database, by number. */
export function teamNames(at: { readonly db: Database.Database }): string[] {
  return at.db.prepare('SELECT name FROM teams ORDER BY number').pluck().all() as string[];
}

/** Three servers on one stream: `reader` refuses `held`'s first message; `other`'s is applied. */
export interface HeldSenderFleet {
  readonly held: NatsNode;
  readonly other: NatsNode;
  readonly reader: NatsNode;
}

/** What {@link heldSenderNodes} gives a `describe`. */
export interface HeldSenderNodes {
  /** The test's nats-server. */
  server(): NatsServer;
  /** A tracked temp database with a transport on the stream (`peerTimeoutMs` 5 s), closed after the test. */
  node(): NatsNode;
  /**
   * Three nodes: the reader with {@link LOCK_TRIGGER}; `held` has published
   * 'locked' (number 1), then `other` 'from another server' (number 2). The
   * reader has not run a round yet.
   */
  fleet(): Promise<HeldSenderFleet>;
}

/**
 * Registers, in the calling `describe`, a fresh nats-server per test
 * ({@link natsNodes}), and gives the nodes on `stream` of the held-sender
 * tests and their usual fleet.
 */
export function heldSenderNodes(stream: string): HeldSenderNodes {
  const nats = natsNodes();
  const node = (): NatsNode => nats.node({ stream }, { peerTimeoutMs: 5000 });
  return {
    server: () => nats.server(),
    node,
    async fleet() {
      const [held, other, reader] = [node(), node(), node()];
      reader.db.exec(LOCK_TRIGGER);
      insertTeam(held, 'locked', 1);
      await held.transport.exchange();
      insertTeam(other, 'from another server', 2);
      await other.transport.exchange();
      return { held, other, reader };
    },
  };
}
